import { stepBetween, type JobRunEventInput, type JobRunState, type RunState, type Step } from './model.js';
import { release } from './readiness.js';
import { backoffDelayMs, retryDecision } from './retry.js';
import { isTerminal } from './status.js';

/** Either the event moved the run (a Step to persist and dispatch) or it was ignored, and why. */
export type EventResult = ({ readonly applied: true } & Step) | { readonly applied: false; readonly ignored: string };

export interface EventOptions {
  /** In [0, 1): the jitter of retry delays. */
  readonly random: () => number;
}

/**
 * Applies one lifecycle event to a run. Idempotent: an event for another attempt than
 * the job run's current one, a repeated event, or one that would leave a terminal
 * state is ignored. A FAILED attempt that its retry rule retries becomes the next
 * attempt, QUEUED with `notBefore` set by the backoff.
 */
export function applyJobRunEvent(run: RunState, event: JobRunEventInput, options: EventOptions): EventResult {
  const index = run.jobRuns.findIndex((jobRun) => jobRun.id === event.jobRunId);
  const jobRun = run.jobRuns[index];
  if (jobRun === undefined) return ignore(`job run ${event.jobRunId} is not part of run ${run.id}`);
  if (event.attempt !== jobRun.attempt)
    return ignore(`attempt ${event.attempt} is not the current attempt ${jobRun.attempt}`);
  if (isTerminal(jobRun.status)) return ignore(`job run already ended ${jobRun.status}`);
  // An armed job run may have been queued by the executor of what it waits for, ahead of this scheduler.
  if (jobRun.status === 'PENDING' && jobRun.armed !== true) return ignore('job run was never queued');
  if (event.kind === 'started' && jobRun.status === 'RUNNING') return ignore('job run already started');

  const dispatch: JobRunState[] = [];
  let next: JobRunState;
  if (event.kind === 'started') {
    next = { ...jobRun, status: 'RUNNING', startedAt: event.at, notBefore: null };
  } else {
    const decision =
      event.outcome === 'FAILED'
        ? retryDecision(jobRun.retry, {
            attempt: jobRun.attempt,
            maxAttempts: jobRun.maxAttempts,
            failureClass: event.failureClass,
            exitCode: event.exitCode,
          })
        : undefined;
    if (decision?.retry === true) {
      const delay = backoffDelayMs(jobRun.retry, jobRun.attempt, options.random);
      next = {
        ...jobRun,
        status: 'QUEUED',
        attempt: jobRun.attempt + 1,
        notBefore: delay > 0 ? new Date(event.at.getTime() + delay) : null,
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
        failureClass:
          event.outcome === 'SUCCESS'
            ? null
            : (event.failureClass ?? (event.outcome === 'CANCELLED' ? 'CANCELLED' : 'JOB')),
        reason: event.reason,
        // A job run that ends without a started event (cancelled in the queue) has no start.
        startedAt: jobRun.startedAt,
        endedAt: event.at,
      };
    }
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
