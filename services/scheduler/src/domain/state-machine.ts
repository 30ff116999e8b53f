import { stepBetween, type JobRunEventInput, type JobRunState, type RunState, type Step } from './model.js';
import { release } from './readiness.js';
import { isTerminal } from './status.js';

/** Either the event moved the run (a Step to persist and dispatch) or it was ignored, and why. */
export type EventResult = ({ readonly applied: true } & Step) | { readonly applied: false; readonly ignored: string };

/**
 * Applies one lifecycle event to a run. Idempotent: an event for another attempt than
 * the job run's current one, a repeated event, or one that would leave a terminal
 * state is ignored. A FAILED attempt below maxAttempts is retried (attempt + 1, QUEUED).
 */
export function applyJobRunEvent(run: RunState, event: JobRunEventInput): EventResult {
  const index = run.jobRuns.findIndex((jobRun) => jobRun.id === event.jobRunId);
  const jobRun = run.jobRuns[index];
  if (jobRun === undefined) return ignore(`job run ${event.jobRunId} is not part of run ${run.id}`);
  if (event.attempt !== jobRun.attempt)
    return ignore(`attempt ${event.attempt} is not the current attempt ${jobRun.attempt}`);
  if (isTerminal(jobRun.status)) return ignore(`job run already ended ${jobRun.status}`);
  if (jobRun.status === 'PENDING') return ignore('job run was never queued');
  if (event.kind === 'started' && jobRun.status === 'RUNNING') return ignore('job run already started');

  const dispatch: JobRunState[] = [];
  let next: JobRunState;
  if (event.kind === 'started') {
    next = { ...jobRun, status: 'RUNNING', startedAt: event.at };
  } else if (event.outcome === 'FAILED' && jobRun.attempt < jobRun.maxAttempts) {
    // Retried at once; a backoff between attempts is not implemented yet.
    next = {
      ...jobRun,
      status: 'QUEUED',
      attempt: jobRun.attempt + 1,
      exitCode: null,
      failureClass: null,
      reason: null,
      startedAt: null,
      endedAt: null,
    };
    dispatch.push(next);
  } else {
    next = {
      ...jobRun,
      status: event.outcome,
      exitCode: event.exitCode,
      failureClass: event.outcome === 'SUCCESS' ? null : event.failureClass,
      reason: event.reason,
      endedAt: event.at,
    };
  }

  const jobRuns = run.jobRuns.map((other, i) => (i === index ? next : other));
  const running = run.status === 'PENDING' || run.status === 'QUEUED';
  const moved: RunState = {
    ...run,
    jobRuns,
    status: running ? 'RUNNING' : run.status,
    startedAt: run.startedAt ?? (running ? event.at : null),
  };
  const released = release(moved, event.at);
  return { applied: true, ...stepBetween(run, released.run, [...dispatch, ...released.dispatch]) };
}

const ignore = (reason: string): EventResult => ({ applied: false, ignored: reason });
