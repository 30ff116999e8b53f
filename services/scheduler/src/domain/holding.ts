import { shortText } from './safe-text.js';

/** Where the executor queue has an attempt. */
export type QueuedAttemptState =
  | { readonly state: 'missing' }
  /** Waiting, delayed (retry backoff) or prioritized: an executor will take it. */
  | { readonly state: 'waiting' }
  /**
   * Taken by an executor, whose lock on it is alive (a dead executor's job fails once its
   * lock expired). `processedBy`: the BullMQ worker name, which is the executor id.
   */
  | { readonly state: 'active'; readonly processedBy?: string }
  | { readonly state: 'completed' }
  | { readonly state: 'failed'; readonly failedReason: string };

/**
 * The attempt's `finished` event on the events stream: none; stored and not yet
 * consumed by the scheduler (it will be applied, or dead-lettered); or consumed.
 */
export type FinishEventState = 'none' | 'pending' | 'consumed';

/**
 * The executor holding an active attempt, from its heartbeats in the registry: beating;
 * silent (the entry has not changed for two heartbeat intervals); or unknown (no executor
 * id for the attempt, no registry entry, or not checked). Unknown proves nothing: an
 * executor of an older version has no entry, and BullMQ's lock expiry still applies.
 */
export type ExecutorSeen =
  | { readonly state: 'live' }
  | { readonly state: 'silent'; readonly executorId: string; readonly lastHeartbeatMs: number }
  | { readonly state: 'unknown' };

/** What is known of an open attempt outside the scheduler's store. */
export interface AttemptObservation {
  readonly queue: QueuedAttemptState;
  /** Looked up only when the queue no longer holds the attempt; undefined when it was not. */
  readonly finishEvent?: FinishEventState;
  /** Looked up only when the queue has the attempt active; undefined when it was not. */
  readonly executor?: ExecutorSeen;
}

export type Holding = { readonly held: true } | { readonly held: false; readonly reason: string };

/** Longest part of a queue's failure reason quoted in a job run's reason. */
const MAX_QUEUE_REASON = 200;

/**
 * Whether an attempt the store has as QUEUED or RUNNING is still held by an executor
 * (or on its way to one). It is not when the queue has finished with it (completed,
 * failed) or lost it (missing, for a RUNNING job run) and no finish event of it waits
 * to be applied.
 *
 * A finish event stored on the stream decides it: the executor publishes `finished`
 * (and waits for JetStream's ack) before it completes the queue job, so a completed job
 * whose event the scheduler has not consumed yet (in flight, a backlog after a restart,
 * a message being retried before its dead letter) is left to the consumer, however long
 * ago it completed. No grace period is involved. A QUEUED job run missing from the queue
 * is the dispatch recovery's to enqueue again.
 *
 * An active attempt is held while its executor beats: one silent for two heartbeat
 * intervals (killed, its host gone, cut off from NATS) has lost it, without waiting for
 * BullMQ's lock to expire. The executor is then told to cancel it, should it still run.
 */
export function holdingOf(status: 'QUEUED' | 'RUNNING', seen: AttemptObservation): Holding {
  const { queue } = seen;
  if (queue.state === 'active' && seen.executor?.state === 'silent') {
    const { executorId, lastHeartbeatMs } = seen.executor;
    const since = lastHeartbeatMs > 0 ? ` since ${new Date(lastHeartbeatMs).toISOString()}` : '';
    return lost(`no heartbeat from ${shortText(executorId, MAX_QUEUE_REASON)}${since}`);
  }
  if (queue.state === 'waiting' || queue.state === 'active') return HELD;
  if (queue.state === 'missing' && status === 'QUEUED') return HELD;
  // Not checked, or stored and on its way to the consumer.
  if (seen.finishEvent === undefined || seen.finishEvent === 'pending') return HELD;
  switch (queue.state) {
    case 'missing':
      return lost('the attempt is missing from the queue');
    case 'completed':
      return lost('the queue reports the attempt completed, but its finish event never reached the scheduler');
    case 'failed': {
      const why = shortText(queue.failedReason.trim(), MAX_QUEUE_REASON);
      return lost(`the queue reports the attempt failed${why === '' ? '' : `: ${why}`}`);
    }
  }
}

const HELD: Holding = { held: true };

const lost = (why: string): Holding => ({ held: false, reason: `executor lost: ${why}` });
