import { stepBetween, type JobRunState, type RunState, type Step } from './model.js';
import type { PlannedJobRun } from './plan.js';
import { release } from './readiness.js';

/** A job run of a failed-only rerun that keeps the earlier run's success instead of running again. */
export interface ReusedJobRun {
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
  readonly exitCode: number | null;
}

/** The job runs of a new run: every one PENDING at attempt 1, SUCCESS when reused, SKIPPED by its rules. */
export function initialJobRuns(
  planned: readonly PlannedJobRun[],
  ids: readonly string[],
  reused: ReadonlyMap<string, ReusedJobRun> = new Map(),
): JobRunState[] {
  return planned.map((plan, index) => {
    const kept = reused.get(plan.name);
    return {
      id: ids[index] ?? missingId(index),
      name: plan.name,
      entry: plan.entry,
      stageIndex: plan.stageIndex,
      needs: plan.needs,
      when: plan.when,
      allowFailure: plan.allowFailure,
      allowFailureExitCodes: plan.allowFailureExitCodes,
      startAtOnce: plan.startAtOnce,
      artifactsFrom: plan.artifactsFrom,
      maxAttempts: plan.maxAttempts,
      retry: plan.retry,
      status: plan.skipped !== undefined ? 'SKIPPED' : kept === undefined ? 'PENDING' : 'SUCCESS',
      attempt: 1,
      notBefore: null,
      exitCode: kept?.exitCode ?? null,
      failureClass: null,
      reason: plan.skipped ?? (kept === undefined ? null : 'reused from the earlier run'),
      startedAt: kept?.startedAt ?? null,
      endedAt: kept?.endedAt ?? null,
    };
  });
}

/**
 * The first step of a new run: the ready job runs QUEUED. A run that must wait for
 * its concurrency group (`admitted` false) stays PENDING with nothing queued.
 */
export function startRun(runId: string, jobRuns: readonly JobRunState[], now: Date, admitted = true): Step {
  const created: RunState = { id: runId, status: 'PENDING', reason: null, startedAt: null, endedAt: null, jobRuns };
  return admitted ? admitRun(created, now) : stepBetween(created, created, []);
}

/** Starts a run that waited for its concurrency group. */
export function admitRun(run: RunState, now: Date): Step {
  const released = release(run, now);
  return stepBetween(run, released.run, released.dispatch);
}

function missingId(index: number): never {
  throw new Error(`startRun: no id for job run ${index}`);
}
