import { stepBetween, type JobRunState, type RunState, type Step } from './model.js';
import type { PlannedJobRun } from './plan.js';
import { release } from './readiness.js';

/**
 * The first step of a new run: every job run PENDING at attempt 1, then the ready
 * ones QUEUED. `ids` gives each planned job run its id, in plan order.
 */
export function startRun(runId: string, planned: readonly PlannedJobRun[], ids: readonly string[], now: Date): Step {
  const jobRuns: JobRunState[] = planned.map((plan, index) => ({
    id: ids[index] ?? missingId(index),
    name: plan.name,
    stageIndex: plan.stageIndex,
    needs: plan.needs,
    allowFailure: plan.allowFailure,
    maxAttempts: plan.maxAttempts,
    status: 'PENDING',
    attempt: 1,
    exitCode: null,
    failureClass: null,
    reason: null,
    startedAt: null,
    endedAt: null,
  }));
  const created: RunState = { id: runId, status: 'PENDING', startedAt: null, endedAt: null, jobRuns };
  const released = release(created, now);
  return stepBetween(created, released.run, released.dispatch);
}

function missingId(index: number): never {
  throw new Error(`startRun: no id for job run ${index}`);
}
