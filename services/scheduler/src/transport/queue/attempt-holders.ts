import type { AttemptObservation } from '../../domain/holding.js';
import type { AttemptHolders } from '../../engine/ports.js';
import type { StreamFinishEvents } from '../nats/finish-events.js';
import type { BullExecuteQueue } from './execute-queue.js';

/**
 * Who holds an attempt, as the executor queue and the events stream tell: BullMQ's state
 * of the attempt's job and, when the queue is done with it, whether its finish event
 * still waits for the scheduler. Executor heartbeats will add to this observation.
 */
export class QueueAttemptHolders implements AttemptHolders {
  constructor(
    private readonly queue: BullExecuteQueue,
    private readonly finishEvents: StreamFinishEvents,
  ) {}

  async observe(attempt: { jobRunId: string; attempt: number }): Promise<AttemptObservation> {
    const queue = await this.queue.inspect(attempt.jobRunId, attempt.attempt);
    if (queue.state === 'waiting' || queue.state === 'active') return { queue };
    return { queue, finishEvent: await this.finishEvents.state(attempt.jobRunId, attempt.attempt) };
  }
}
