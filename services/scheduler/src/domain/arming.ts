import type { JobRunState, RunState } from './model.js';
import { isBlockingFailure } from './readiness.js';
import { isTerminal } from './status.js';
import { WaitGraph } from './wait-graph.js';

/**
 * Runs with more job runs than this are not looked at for arming: the walk is per PENDING job
 * run and what it waits for, and the fast path is for the latency of sequential steps, not for
 * wide fan-outs (whose jobs are queued together anyway).
 */
export const ARMING_MAX_JOB_RUNS = 200;

/** A PENDING job run to arm on the attempt of `on`: it is queued the moment that attempt succeeds. */
export interface Arming {
  readonly jobRun: JobRunState;
  readonly on: JobRunState;
}

/** PENDING with an armed hand-over for its current attempt (see `armable`). */
export const isArmed = (jobRun: Pick<JobRunState, 'status' | 'armed'>): boolean =>
  jobRun.status === 'PENDING' && jobRun.armed === true;

/**
 * The PENDING job runs whose queueing the success of one open attempt alone decides, so that
 * the executor running that attempt may queue them the moment it succeeds (the fast path; the
 * scheduler does the same when it applies the end, and whichever comes first hands over).
 * A job run is armable on `on` when:
 * - it is `when: on_success`, not armed yet, and `eligible` (its spec: no limit, no context
 *   reference, no artifacts from `on`);
 * - of everything it waits for, `on` alone has not ended, and `on` is QUEUED or RUNNING;
 * - nothing upstream failed (blocking) or was cancelled, and no job run of the run is MANUAL
 *   (a manual job played meanwhile would change what it waits for).
 * Then `on` ending SUCCESS makes `release` queue it, and nothing else that can happen to the
 * run in between changes that, except stopping it (cancel, timeout), which disarms it.
 */
export function armable(run: RunState, eligible: (jobRun: JobRunState, on: JobRunState) => boolean): Arming[] {
  const all = run.jobRuns;
  if (isTerminal(run.status) || all.length > ARMING_MAX_JOB_RUNS) return [];
  if (all.some((jobRun) => jobRun.status === 'MANUAL')) return [];
  const graph = new WaitGraph(all);
  const found: Arming[] = [];
  all.forEach((jobRun, index) => {
    if (jobRun.status !== 'PENDING' || jobRun.armed === true || jobRun.when !== 'on_success') return;
    const open = graph.waitsFor(index).filter((position) => !isTerminal((all[position] as JobRunState).status));
    const on = open.length === 1 ? (all[open[0] as number] as JobRunState) : undefined;
    if (on === undefined || (on.status !== 'QUEUED' && on.status !== 'RUNNING')) return;
    const blocked = graph.upstreamOf(index).some((position) => {
      const other = all[position] as JobRunState;
      return isBlockingFailure(other) || other.status === 'CANCELLED';
    });
    if (!blocked && eligible(jobRun, on)) found.push({ jobRun, on });
  });
  return found;
}
