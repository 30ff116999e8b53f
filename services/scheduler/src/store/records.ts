import {
  isFailureClass,
  isRunStatus,
  type FailureClassName,
  type RunStatus,
  type RunTrigger,
} from '../domain/status.js';

/** A JSON value as stored in a jsonb column (the proto JSON of a contract message). */
export type StoredJson = null | boolean | number | string | StoredJson[] | { [key: string]: StoredJson };

export interface PipelineRunRecord {
  id: string;
  /** Set for a pipeline run; null for a run of a single job. */
  pipelineId: string | null;
  /** Set for a run of a single job; null for a pipeline run. */
  jobId: string | null;
  number: number;
  status: RunStatus;
  trigger: RunTrigger;
  triggeredBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
}

export interface NewPipelineRun extends PipelineRunRecord {
  /** Proto JSON of the frozen PipelineSnapshot. */
  snapshot: StoredJson;
}

export interface JobRunRecord {
  id: string;
  pipelineRunId: string;
  position: number;
  stageIndex: number;
  stageName: string;
  name: string;
  jobId: string;
  /** Proto JSON of the frozen JobSpec. */
  spec: StoredJson;
  needs: string[];
  allowFailure: boolean;
  maxAttempts: number;
  status: RunStatus;
  attempt: number;
  exitCode: number | null;
  failureClass: FailureClassName | null;
  reason: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
}

/** The mutable part of a job run. */
export type JobRunProgress = Pick<
  JobRunRecord,
  'id' | 'status' | 'attempt' | 'exitCode' | 'failureClass' | 'reason' | 'startedAt' | 'endedAt'
>;

/** The mutable part of a run. */
export type PipelineRunProgress = Pick<PipelineRunRecord, 'id' | 'status' | 'startedAt' | 'endedAt'>;

export interface PipelineRunRow {
  id: string;
  pipeline_id: string | null;
  job_id: string | null;
  number: number;
  status: string;
  trigger: string;
  triggered_by: string | null;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
}

export interface JobRunRow {
  id: string;
  pipeline_run_id: string;
  position: number;
  stage_index: number;
  stage_name: string;
  name: string;
  job_id: string;
  spec: StoredJson;
  needs: string[];
  allow_failure: boolean;
  max_attempts: number;
  status: string;
  attempt: number;
  exit_code: number | null;
  failure_class: string | null;
  reason: string | null;
  started_at: Date | null;
  ended_at: Date | null;
}

export const RUN_COLUMNS =
  'id, pipeline_id, job_id, number, status, trigger, triggered_by, created_at, started_at, ended_at';
export const JOB_RUN_COLUMNS =
  'id, pipeline_run_id, position, stage_index, stage_name, name, job_id, spec, needs, allow_failure, max_attempts, ' +
  'status, attempt, exit_code, failure_class, reason, started_at, ended_at';

export function toRunRecord(row: PipelineRunRow): PipelineRunRecord {
  return {
    id: row.id,
    pipelineId: row.pipeline_id,
    jobId: row.job_id,
    number: row.number,
    status: status(row.status),
    trigger: row.trigger as RunTrigger,
    triggeredBy: row.triggered_by,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

export function toJobRunRecord(row: JobRunRow): JobRunRecord {
  return {
    id: row.id,
    pipelineRunId: row.pipeline_run_id,
    position: row.position,
    stageIndex: row.stage_index,
    stageName: row.stage_name,
    name: row.name,
    jobId: row.job_id,
    spec: row.spec,
    needs: row.needs,
    allowFailure: row.allow_failure,
    maxAttempts: row.max_attempts,
    status: status(row.status),
    attempt: row.attempt,
    exitCode: row.exit_code,
    failureClass: row.failure_class !== null && isFailureClass(row.failure_class) ? row.failure_class : null,
    reason: row.reason,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

function status(value: string): RunStatus {
  if (!isRunStatus(value)) throw new Error(`unknown run status ${value} in the database`);
  return value;
}
