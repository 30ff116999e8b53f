import type { JobRunState, RunState } from '../domain/model.js';
import type { LockedRun } from '../store/run-tx.js';
import type { JobRunProgress, JobRunRecord, PipelineRunRecord } from '../store/records.js';

/** The engine's view of a stored run. */
export function toRunState(
  run: Pick<PipelineRunRecord, 'id' | 'status' | 'reason' | 'startedAt' | 'endedAt'>,
  jobRuns: readonly JobRunRecord[],
): RunState {
  return {
    id: run.id,
    status: run.status,
    reason: run.reason,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    jobRuns: jobRuns.map(toJobRunState),
  };
}

export function toJobRunState(j: JobRunRecord): JobRunState {
  return {
    id: j.id,
    name: j.name,
    entry: j.entry,
    stageIndex: j.stageIndex,
    needs: j.needs,
    when: j.when,
    allowFailure: j.allowFailure,
    allowFailureExitCodes: j.allowFailureExitCodes,
    startAtOnce: j.startAtOnce,
    artifactsFrom: j.artifactsFrom,
    maxAttempts: j.maxAttempts,
    retry: j.retry,
    status: j.status,
    attempt: j.attempt,
    notBefore: j.notBefore,
    exitCode: j.exitCode,
    failureClass: j.failureClass,
    reason: j.reason,
    startedAt: j.startedAt,
    endedAt: j.endedAt,
    ...(j.armed === true ? { armed: true } : {}),
  };
}

export function toProgress(jobRun: JobRunState): JobRunProgress {
  return {
    id: jobRun.id,
    status: jobRun.status,
    attempt: jobRun.attempt,
    notBefore: jobRun.notBefore,
    exitCode: jobRun.exitCode,
    failureClass: jobRun.failureClass,
    reason: jobRun.reason,
    startedAt: jobRun.startedAt,
    endedAt: jobRun.endedAt,
  };
}

/** A locked run as it is after a step. */
export function afterStep(stored: LockedRun, run: RunState): LockedRun {
  const { status, reason, startedAt, endedAt } = run;
  return {
    ...stored,
    run: { ...stored.run, status, reason, startedAt, endedAt },
    jobRuns: merge(stored.jobRuns, run.jobRuns),
  };
}

/** The job runs of a run after a step, as records. */
function merge(records: readonly JobRunRecord[], states: readonly { id: string }[]): JobRunRecord[] {
  return records.map((record) => {
    const state = states.find((candidate) => candidate.id === record.id);
    return state === undefined ? record : { ...record, ...state };
  });
}
