import type { AttemptObservation, ExecutorSeen } from '../../domain/holding.js';
import type { AttemptHolders } from '../../engine/ports.js';
import type { ExecutorDirectory } from '../nats/executor-directory.js';
import type { StreamFinishEvents } from '../nats/finish-events.js';
import type { StreamStartedEvents } from '../nats/started-events.js';
import type { BullExecuteQueue } from './execute-queue.js';

/**
 * Who holds an attempt, as the executor queue, the events stream and the executor
 * registry tell: BullMQ's state of the attempt's job; when the queue has it active, whether
 * the executor holding it (BullMQ's worker name, else the `started` event's executor id)
 * still beats; when the queue is done with it, whether its finish event still waits for
 * the scheduler.
 */
export class QueueAttemptHolders implements AttemptHolders {
  constructor(
    private readonly queue: BullExecuteQueue,
    private readonly finishEvents: StreamFinishEvents,
    private readonly executors?: { directory: ExecutorDirectory; started: StreamStartedEvents },
  ) {}

  async observe(attempt: { jobRunId: string; attempt: number }): Promise<AttemptObservation> {
    const queue = await this.queue.inspect(attempt.jobRunId, attempt.attempt);
    if (queue.state === 'waiting') return { queue };
    if (queue.state === 'active') {
      return { queue, executor: await this.executorSeen(attempt, queue.processedBy) };
    }
    return { queue, finishEvent: await this.finishEvents.state(attempt.jobRunId, attempt.attempt) };
  }

  private async executorSeen(
    attempt: { jobRunId: string; attempt: number },
    processedBy: string | undefined,
  ): Promise<ExecutorSeen> {
    if (this.executors === undefined) return { state: 'unknown' };
    const executorId = processedBy ?? (await this.executors.started.executorOf(attempt.jobRunId, attempt.attempt));
    if (executorId === undefined) return { state: 'unknown' };
    return this.executors.directory.seen(executorId);
  }
}
