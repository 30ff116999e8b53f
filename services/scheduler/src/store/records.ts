import type { MatrixCell } from '../domain/matrix.js';
import { NO_RETRY_RULE, type RetryRule } from '../domain/retry.js';
import {
  isFailureClass,
  isRunStatus,
  isWhen,
  type FailureClassName,
  type RunStatus,
  type RunTrigger,
  type When,
} from '../domain/status.js';

/** A JSON value as stored in a jsonb column (the proto JSON of a contract message). */
export type StoredJson = null | boolean | number | string | StoredJson[] | { [key: string]: StoredJson };

export type ConcurrencyState = 'waiting' | 'admitted';

/** The git push behind a run (a webhook's). */
export interface GitProvenance {
  repository: string;
  ref: string;
  refType: 'branch' | 'tag';
  commit: string;
  author: string;
  message: string;
  compareUrl: string;
}

/** Where a run came from, beyond its trigger kind and who asked. */
export interface RunProvenance {
  scheduleId?: string;
  /** ISO time the schedule's occurrence was planned for. */
  plannedAt?: string;
  webhookDeliveryId?: string;
  git?: GitProvenance;
  /** Pipeline variables given at trigger time (name → value); kept by reruns. */
  variables?: Record<string, string>;
}

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
  triggeredByName: string | null;
  branch: string | null;
  commitSha: string | null;
  /** The trigger's idempotency key (unique): a second trigger with it gets this run. */
  idempotencyKey: string | null;
  provenance: RunProvenance | null;
  /** The run this one reruns. */
  rerunOf: string | null;
  /** A rerun of the failed jobs only (successful ones reused). */
  failedOnly: boolean;
  reason: string | null;
  timeoutSec: number | null;
  deadlineAt: Date | null;
  concurrencyGroup: string | null;
  concurrencyState: ConcurrencyState | null;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  /** Days its jobs' log lines are kept, from the snapshot's retention; null: the installation's default. */
  logRetentionDays: number | null;
}

export interface NewPipelineRun
  extends
    Omit<PipelineRunRecord, 'logRetentionDays' | 'idempotencyKey' | 'provenance'>,
    Partial<Pick<PipelineRunRecord, 'idempotencyKey' | 'provenance'>> {
  /** Proto JSON of the frozen PipelineSnapshot. */
  snapshot: StoredJson;
  /** The run span's W3C traceparent and its parent span id (tracing on); absent: none. */
  trace?: { traceparent: string; parentSpanId: string | null } | undefined;
}

export interface JobRunRecord {
  id: string;
  pipelineRunId: string;
  position: number;
  stageIndex: number;
  stageName: string;
  name: string;
  entry: string;
  matrix: MatrixCell;
  jobId: string;
  /** Proto JSON of the frozen JobSpec (matrix values already in its env). */
  spec: StoredJson;
  needs: string[];
  when: When;
  allowFailure: boolean;
  /** A failure with one of these exit codes does not fail the run. */
  allowFailureExitCodes: number[];
  /** Starts when the run starts, waiting for nothing. */
  startAtOnce: boolean;
  /** Entries whose artifacts it takes; null: all it waits for. */
  artifactsFrom: string[] | null;
  maxAttempts: number;
  retry: RetryRule;
  status: RunStatus;
  attempt: number;
  notBefore: Date | null;
  exitCode: number | null;
  failureClass: FailureClassName | null;
  reason: string | null;
  /** Job run of an earlier run whose success this one reuses (failed-only rerun). */
  reusedFrom: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
  /** PENDING with its current attempt armed (domain/arming.ts): `dispatched_attempt` set ahead of QUEUED. */
  armed?: boolean;
}

/** The mutable part of a job run. */
export type JobRunProgress = Pick<
  JobRunRecord,
  'id' | 'status' | 'attempt' | 'notBefore' | 'exitCode' | 'failureClass' | 'reason' | 'startedAt' | 'endedAt'
>;

/** The mutable part of a run. */
export type PipelineRunProgress = Pick<PipelineRunRecord, 'id' | 'status' | 'reason' | 'startedAt' | 'endedAt'>;

export interface PipelineRunRow {
  id: string;
  pipeline_id: string | null;
  job_id: string | null;
  number: number;
  status: string;
  trigger: string;
  triggered_by: string | null;
  triggered_by_name: string | null;
  branch: string | null;
  commit_sha: string | null;
  idempotency_key: string | null;
  provenance: RunProvenance | null;
  rerun_of: string | null;
  failed_only: boolean;
  reason: string | null;
  timeout_sec: number | null;
  deadline_at: Date | null;
  concurrency_group: string | null;
  concurrency_state: string | null;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  log_retention_days: number | null;
}

export interface JobRunRow {
  id: string;
  pipeline_run_id: string;
  position: number;
  stage_index: number;
  stage_name: string;
  name: string;
  entry: string;
  matrix: MatrixCell;
  job_id: string;
  spec: StoredJson;
  needs: string[];
  run_when: string;
  allow_failure_exit_codes: number[];
  start_at_once: boolean;
  artifacts_from: string[] | null;
  allow_failure: boolean;
  max_attempts: number;
  retry: RetryRule | null;
  status: string;
  attempt: number;
  not_before: Date | null;
  exit_code: number | null;
  failure_class: string | null;
  reason: string | null;
  reused_from: string | null;
  started_at: Date | null;
  ended_at: Date | null;
  /** Read (JOB_RUN_READ_COLUMNS), never inserted. */
  dispatched_attempt?: number | null;
}

export const RUN_COLUMNS =
  'id, pipeline_id, job_id, number, status, trigger, triggered_by, triggered_by_name, branch, commit_sha, ' +
  'idempotency_key, provenance, rerun_of, ' +
  'failed_only, reason, timeout_sec, deadline_at, concurrency_group, concurrency_state, created_at, started_at, ended_at, ' +
  'log_retention_days';
export const JOB_RUN_COLUMNS =
  'id, pipeline_run_id, position, stage_index, stage_name, name, entry, matrix, job_id, spec, needs, run_when, ' +
  'allow_failure, max_attempts, retry, status, attempt, not_before, exit_code, failure_class, reason, reused_from, ' +
  'started_at, ended_at, allow_failure_exit_codes, start_at_once, artifacts_from';
/** What a read of job runs selects: the inserted columns, and the attempt handed over (whether it is armed). */
export const JOB_RUN_READ_COLUMNS = `${JOB_RUN_COLUMNS}, dispatched_attempt`;

export function toRunRecord(row: PipelineRunRow): PipelineRunRecord {
  return {
    id: row.id,
    pipelineId: row.pipeline_id,
    jobId: row.job_id,
    number: row.number,
    status: status(row.status),
    trigger: row.trigger as RunTrigger,
    triggeredBy: row.triggered_by,
    triggeredByName: row.triggered_by_name,
    branch: row.branch,
    commitSha: row.commit_sha,
    idempotencyKey: row.idempotency_key,
    provenance: row.provenance,
    rerunOf: row.rerun_of,
    failedOnly: row.failed_only,
    reason: row.reason,
    timeoutSec: row.timeout_sec,
    deadlineAt: row.deadline_at,
    concurrencyGroup: row.concurrency_group,
    concurrencyState: row.concurrency_state === null ? null : (row.concurrency_state as ConcurrencyState),
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    logRetentionDays: row.log_retention_days,
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
    entry: row.entry,
    matrix: row.matrix,
    jobId: row.job_id,
    spec: row.spec,
    needs: row.needs,
    when: isWhen(row.run_when) ? row.run_when : 'on_success',
    allowFailure: row.allow_failure,
    allowFailureExitCodes: row.allow_failure_exit_codes,
    startAtOnce: row.start_at_once,
    artifactsFrom: row.artifacts_from,
    maxAttempts: row.max_attempts,
    retry: row.retry ?? NO_RETRY_RULE,
    status: status(row.status),
    attempt: row.attempt,
    notBefore: row.not_before,
    exitCode: row.exit_code,
    failureClass: row.failure_class !== null && isFailureClass(row.failure_class) ? row.failure_class : null,
    reason: row.reason,
    reusedFrom: row.reused_from,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    ...(row.status === 'PENDING' && row.dispatched_attempt === row.attempt ? { armed: true } : {}),
  };
}

export function status(value: string): RunStatus {
  if (!isRunStatus(value)) throw new Error(`unknown run status ${value} in the database`);
  return value;
}
