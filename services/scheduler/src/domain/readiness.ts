import type { JobRunState, RunState } from './model.js';
import { isOpen, isTerminal, type RunStatus } from './status.js';

export type Readiness = 'ready' | 'waiting' | 'blocked';

/** Ended in a way that lets the entries after it run: SUCCESS, or FAILED with allowFailure. */
export const endedOk = (jobRun: JobRunState): boolean =>
  jobRun.status === 'SUCCESS' || (jobRun.status === 'FAILED' && jobRun.allowFailure);

/** A failure that fails the run: FAILED without allowFailure. */
export const isBlockingFailure = (jobRun: JobRunState): boolean => jobRun.status === 'FAILED' && !jobRun.allowFailure;

/**
 * Whether a PENDING job run can start. With `needs`: when all its needs ended ok.
 * Without: when every entry of all earlier stages ended ok. `blocked` = it never can,
 * because something it waits for ended otherwise (failed, skipped, cancelled).
 */
export function readiness(jobRun: JobRunState, all: readonly JobRunState[]): Readiness {
  const waitsFor =
    jobRun.needs.length > 0
      ? jobRun.needs.map((name) => all.find((other) => other.name === name))
      : all.filter((other) => other.stageIndex < jobRun.stageIndex);
  let ready = true;
  for (const other of waitsFor) {
    if (other === undefined) return 'blocked';
    if (isTerminal(other.status) && !endedOk(other)) return 'blocked';
    if (!endedOk(other)) ready = false;
  }
  return ready ? 'ready' : 'waiting';
}

/** The status a run ends with once none of its job runs is open. */
export function runOutcome(jobRuns: readonly JobRunState[]): RunStatus {
  if (jobRuns.some(isBlockingFailure)) return 'FAILED';
  if (jobRuns.some((jobRun) => jobRun.status === 'CANCELLED')) return 'CANCELLED';
  return 'SUCCESS';
}

/**
 * Moves the run forward after a change: PENDING job runs that are ready become QUEUED
 * (to dispatch), those that can no longer run become SKIPPED (cascading), and the run
 * ends when nothing is open any more. Jobs already running keep running.
 */
export function release(run: RunState, now: Date): { run: RunState; dispatch: JobRunState[] } {
  const jobRuns = [...run.jobRuns];
  const dispatch: JobRunState[] = [];
  let moved = true;
  while (moved) {
    moved = false;
    for (const [index, jobRun] of jobRuns.entries()) {
      if (jobRun.status !== 'PENDING') continue;
      const state = readiness(jobRun, jobRuns);
      if (state === 'waiting') continue;
      const next: JobRunState =
        state === 'ready' ? { ...jobRun, status: 'QUEUED' } : { ...jobRun, status: 'SKIPPED', endedAt: now };
      jobRuns[index] = next;
      if (state === 'ready') dispatch.push(next);
      moved = true;
    }
  }
  // Defence: with a valid plan this never happens, but a run must not hang for ever.
  if (!jobRuns.some((jobRun) => jobRun.status === 'QUEUED' || jobRun.status === 'RUNNING')) {
    for (const [index, jobRun] of jobRuns.entries()) {
      if (jobRun.status === 'PENDING') {
        jobRuns[index] = { ...jobRun, status: 'SKIPPED', endedAt: now, reason: 'its needs can never be met' };
      }
    }
  }

  let status = run.status;
  let startedAt = run.startedAt;
  let endedAt = run.endedAt;
  if (!isTerminal(status)) {
    if (!jobRuns.some((jobRun) => isOpen(jobRun.status))) {
      status = runOutcome(jobRuns);
      endedAt = now;
      startedAt = startedAt ?? now;
    } else if (status === 'PENDING' && dispatch.length > 0) {
      status = 'QUEUED';
    }
  }
  return { run: { ...run, status, startedAt, endedAt, jobRuns }, dispatch };
}
