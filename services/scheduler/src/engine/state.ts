import type { JobRunState, RunState } from '../domain/model.js';
import type { JobRunProgress, JobRunRecord, PipelineRunRecord } from '../store/records.js';

/** The engine's view of a stored run. */
export function toRunState(run: PipelineRunRecord, jobRuns: readonly JobRunRecord[]): RunState {
  return {
    id: run.id,
    status: run.status,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    jobRuns: jobRuns.map((j) => ({
      id: j.id,
      name: j.name,
      stageIndex: j.stageIndex,
      needs: j.needs,
      allowFailure: j.allowFailure,
      maxAttempts: j.maxAttempts,
      status: j.status,
      attempt: j.attempt,
      exitCode: j.exitCode,
      failureClass: j.failureClass,
      reason: j.reason,
      startedAt: j.startedAt,
      endedAt: j.endedAt,
    })),
  };
}

export function toProgress(jobRun: JobRunState): JobRunProgress {
  return {
    id: jobRun.id,
    status: jobRun.status,
    attempt: jobRun.attempt,
    exitCode: jobRun.exitCode,
    failureClass: jobRun.failureClass,
    reason: jobRun.reason,
    startedAt: jobRun.startedAt,
    endedAt: jobRun.endedAt,
  };
}
