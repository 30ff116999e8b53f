import type { JobRunState } from '../../domain/model.js';
import { stopJobRuns, type StopRequest } from '../../domain/stop.js';
import type { LockedRun, RunTx } from '../../store/run-tx.js';
import type { EngineResources } from '../resources.js';
import { persistAndEnd } from '../run-ended.js';
import { toRunState } from '../state.js';
import type { DispatchItem } from './dispatch.js';
import { errorSummary } from '../../domain/error-summary.js';

export interface Stopped {
  /** Attempts that were queued or running: to take out of the queue and kill. */
  readonly killed: readonly JobRunState[];
  /** What the stop released (an `always` job, the next run of a concurrency group). */
  readonly items: readonly DispatchItem[];
  readonly reason: string;
}

/**
 * Stops job runs of a locked run inside a transaction (cancel, run timeout) and
 * persists it; when the run ends, its end is handled (context, concurrency group)
 * unless `quiet` (a cancelOlder trigger admits its own run).
 */
export async function stopInTx(
  tx: RunTx,
  stored: LockedRun,
  request: StopRequest,
  now: Date,
  quiet = false,
): Promise<Stopped | undefined> {
  const step = stopJobRuns(toRunState(stored.run, stored.jobRuns), request, now);
  if (step === undefined) return undefined;
  const items = await persistAndEnd(tx, stored, step, now, { recordEndedAttempts: true, quiet });
  return { killed: step.killed, items, reason: request.reason };
}

/** After commit: queued attempts leave the queue, running ones are killed by their executor. */
export async function killAttempts(resources: EngineResources, stopped: readonly Stopped[]): Promise<void> {
  const attempts = stopped.flatMap((stop) =>
    stop.killed.map((jobRun) => ({ jobRunId: jobRun.id, attempt: jobRun.attempt, reason: stop.reason })),
  );
  await stopAttempts(resources, attempts);
}

/** Takes attempts out of the queue, then has their executors stop those already taken. */
export async function stopAttempts(
  resources: EngineResources,
  attempts: readonly { jobRunId: string; attempt: number; reason: string }[],
): Promise<void> {
  if (attempts.length === 0) return;
  for (const attempt of attempts) {
    try {
      await resources.queue.remove(attempt.jobRunId, attempt.attempt);
    } catch (error) {
      resources.logger.warn(
        { err: errorSummary(error), jobRunId: attempt.jobRunId },
        'could not remove a cancelled attempt from the queue',
      );
    }
  }
  // Sent for all of them: a queued attempt an executor took in between is stopped too.
  try {
    await resources.executors.cancel(attempts);
  } catch (error) {
    // The run is already stopped in the store; what still runs ends at its own timeout,
    // and the events it sends then are ignored.
    resources.logger.error(
      { err: errorSummary(error), attempts: attempts.length },
      'could not send the cancel to the executors',
    );
  }
}
