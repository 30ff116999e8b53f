import { stepBetween, type JobRunState, type RunState, type Step } from './model.js';
import { release } from './readiness.js';
import { isOpen, isTerminal, type FailureClassName, type RunStatus } from './status.js';

export interface StopRequest {
  /** Job runs to stop; undefined = every open job run of the run. */
  readonly jobRunIds?: readonly string[];
  /** The status stopped job runs end with (CANCELLED for a cancel, FAILED for a run timeout). */
  readonly status: Extract<RunStatus, 'CANCELLED' | 'FAILED'>;
  readonly failureClass: FailureClassName;
  readonly reason: string;
  /** The run's own status when the whole run is stopped (CANCELLED, or FAILED for a timeout). */
  readonly runStatus?: Extract<RunStatus, 'CANCELLED' | 'FAILED'>;
}

export interface StopResult extends Step {
  /** Job runs that were QUEUED or RUNNING: their queue entry and process must go. */
  readonly killed: readonly JobRunState[];
}

/**
 * Stops job runs of a run (cancel, or a run timeout): open targets end with the
 * request's status, class and reason; what waited on them is released (skipped, or
 * run when `always`). Stopping the whole run ends it with `runStatus`, PENDING job
 * runs included. Nothing open to stop → undefined.
 */
export function stopJobRuns(run: RunState, request: StopRequest, now: Date): StopResult | undefined {
  if (isTerminal(run.status)) return undefined;
  const whole = request.jobRunIds === undefined;
  const targets = new Set(request.jobRunIds ?? run.jobRuns.map((jobRun) => jobRun.id));
  const killed: JobRunState[] = [];
  let stopped = 0;
  const jobRuns = run.jobRuns.map((jobRun) => {
    // A MANUAL job run (waiting for a person) stops as a PENDING one does.
    const waiting = jobRun.status === 'PENDING' || jobRun.status === 'MANUAL';
    if (!targets.has(jobRun.id) || !(isOpen(jobRun.status) || jobRun.status === 'MANUAL')) return jobRun;
    stopped += 1;
    if (!waiting) killed.push(jobRun);
    const pendingOnly = waiting && request.status === 'FAILED';
    return {
      ...jobRun,
      status: pendingOnly ? ('SKIPPED' as const) : request.status,
      failureClass: pendingOnly ? null : request.failureClass,
      reason: request.reason,
      notBefore: null,
      endedAt: now,
    };
  });
  if (stopped === 0) return undefined;
  let after: RunState = { ...run, jobRuns };
  if (whole) {
    after = { ...after, status: request.runStatus ?? request.status, reason: request.reason, endedAt: now };
    return { ...stepBetween(run, after, []), killed };
  }
  const released = release(after, now);
  return { ...stepBetween(run, released.run, released.dispatch), killed };
}
