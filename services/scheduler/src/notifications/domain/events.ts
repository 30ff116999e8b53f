import { FailureClass, RunEventKind, RunStatus, type RunEvent } from '@fluxi/contracts';

/** The payload types of notifications (the catalog's NotificationEvent values, as sent). */
export type NotificationType =
  | 'pipeline_run.started'
  | 'pipeline_run.succeeded'
  | 'pipeline_run.failed'
  | 'pipeline_run.cancelled'
  | 'job_run.failed'
  | 'executor.lost'
  | 'schedule.fire_failed'
  | 'system.critical_error';

/**
 * Something to notify of, before it is matched against subscriptions. `key` is unique per occurrence
 * (a delivery is recorded once per subscription and key, whatever redelivers the source);
 * `pipelineId` and `pipelineRunId` are null when it concerns no run.
 */
export interface NotificationOccurrence {
  key: string;
  type: NotificationType;
  at: Date;
  pipelineRunId: string | null;
  pipelineId: string | null;
  /** What the event itself says (the run's state, the job run's); completed from the store when it has a run. */
  data: Record<string, unknown>;
}

/** What the scheduler writes as the reason of an attempt whose executor stopped heartbeating. */
export const EXECUTOR_LOST_PREFIX = 'executor lost';

const RUN_TYPES: Partial<Record<RunEventKind, NotificationType>> = {
  [RunEventKind.STARTED]: 'pipeline_run.started',
  [RunEventKind.SUCCEEDED]: 'pipeline_run.succeeded',
  [RunEventKind.FAILED]: 'pipeline_run.failed',
  [RunEventKind.CANCELLED]: 'pipeline_run.cancelled',
};

export const statusName = (status: RunStatus): string => RunStatus[status] ?? 'UNSPECIFIED';
const failureClassName = (value: FailureClass): string | null =>
  value === FailureClass.UNSPECIFIED ? null : (FailureClass[value] ?? null);
const isoOrNull = (ms: bigint): string | null => (ms === 0n ? null : new Date(Number(ms)).toISOString());

/**
 * The notifications one run event stands for: a pipeline run that started, succeeded, failed or was
 * cancelled; a job run that failed (and "executor lost" when its reason says so); an attempt that a
 * retry replaced because its executor was lost. Pure.
 */
export function occurrencesOf(event: RunEvent): NotificationOccurrence[] {
  const base = {
    at: new Date(Number(event.atMs)),
    pipelineRunId: event.pipelineRunId,
    pipelineId: event.pipelineId === '' ? null : event.pipelineId,
  };
  const entity = event.entity;
  if (entity.case === 'run') {
    const type = RUN_TYPES[event.kind];
    if (type === undefined) return [];
    const run = entity.value;
    return [
      {
        ...base,
        key: `${event.id}:${type}`,
        type,
        data: {
          status: statusName(run.status),
          reason: run.reason === '' ? null : run.reason,
          startedAt: isoOrNull(run.startedAtMs),
          endedAt: isoOrNull(run.endedAtMs),
        },
      },
    ];
  }
  if (entity.case === 'jobRun' && event.kind === RunEventKind.FAILED) {
    const jobRun = entity.value;
    const data = {
      jobRun: {
        id: jobRun.jobRunId,
        name: jobRun.name,
        jobId: jobRun.jobId,
        stage: jobRun.stageName,
        attempt: jobRun.attempt,
        exitCode: jobRun.exitCode ?? null,
        failureClass: failureClassName(jobRun.failureClass),
        reason: jobRun.reason,
      },
    };
    const found: NotificationOccurrence[] = [
      { ...base, key: `${event.id}:job_run.failed`, type: 'job_run.failed', data },
    ];
    if (jobRun.reason.startsWith(EXECUTOR_LOST_PREFIX)) {
      found.push({ ...base, key: `${event.id}:executor.lost`, type: 'executor.lost', data });
    }
    return found;
  }
  if (entity.case === 'attempt' && entity.value.reason.startsWith(EXECUTOR_LOST_PREFIX)) {
    const attempt = entity.value;
    return [
      {
        ...base,
        key: `${event.id}:executor.lost`,
        type: 'executor.lost',
        data: {
          jobRun: {
            id: attempt.jobRunId,
            name: attempt.name,
            attempt: attempt.attempt,
            failureClass: failureClassName(attempt.failureClass),
            reason: attempt.reason,
            retried: true,
          },
        },
      },
    ];
  }
  return [];
}
