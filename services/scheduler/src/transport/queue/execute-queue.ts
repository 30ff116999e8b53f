import { executeJobId, executeQueueName, ExecuteJobSchema, toJson } from '@fluxi/contracts';
import type { Logger } from '@fluxi/common';
import { Queue, type IRedisClient } from 'bullmq';
import type { QueuedAttemptState } from '../../domain/holding.js';
import type { ExecuteQueue, QueuedAttempt } from '../../engine/ports.js';
import { errorSummary } from '../../domain/error-summary.js';

/** BullMQ job name of an executor job. */
export const EXECUTE_JOB_NAME = 'execute';

/** Finished jobs are kept a day (at most 10000), so a recovery does not run them again. */
const KEEP = { age: 86_400, count: 10_000 };

/** The executor queue of a pool, as the executors expect it (see the contract in the brief). */
export class BullExecuteQueue implements ExecuteQueue {
  private readonly queue: Queue;

  constructor(connection: IRedisClient, options: { pool: string; prefix: string; logger: Logger }) {
    this.queue = new Queue(executeQueueName(options.pool), { connection, prefix: options.prefix });
    // Without a listener an 'error' event would crash the process; BullMQ reconnects by itself.
    this.queue.on('error', (error) => options.logger.warn({ err: errorSummary(error) }, 'execute queue error'));
  }

  async enqueue(attempts: readonly QueuedAttempt[]): Promise<void> {
    await this.queue.addBulk(
      attempts.map(({ job, delayMs }) => ({
        name: EXECUTE_JOB_NAME,
        data: { payload: toJson(ExecuteJobSchema, job) },
        opts: {
          jobId: executeJobId(job.jobRunId, job.attempt),
          ...(delayMs > 0 ? { delay: delayMs } : {}),
          attempts: 1,
          removeOnComplete: KEEP,
          removeOnFail: KEEP,
        },
      })),
    );
  }

  async holds(jobRunId: string, attempt: number): Promise<boolean> {
    return (await this.queue.getJob(executeJobId(jobRunId, attempt))) !== undefined;
  }

  /** Where the queue has this attempt (reconciliation). */
  async inspect(jobRunId: string, attempt: number): Promise<QueuedAttemptState> {
    const job = await this.queue.getJob(executeJobId(jobRunId, attempt));
    if (job === undefined) return { state: 'missing' };
    const state = await job.getState();
    switch (state) {
      case 'active':
        return { state: 'active' };
      case 'completed':
        return { state: 'completed' };
      case 'failed':
        // BullMQ's reason: the executor's error ("gave up publishing …"), or a stall ("job stalled more than allowable limit").
        return { state: 'failed', failedReason: job.failedReason ?? '' };
      case 'unknown':
        // Removed between the two reads.
        return { state: 'missing' };
      default:
        // waiting, delayed, prioritized, waiting-children.
        return { state: 'waiting' };
    }
  }

  async remove(jobRunId: string, attempt: number): Promise<boolean> {
    const job = await this.queue.getJob(executeJobId(jobRunId, attempt));
    if (job === undefined) return false;
    const state = await job.getState();
    if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
    try {
      await job.remove();
      return true;
    } catch {
      // Taken by a worker in between: the cancel broadcast stops it there.
      return false;
    }
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
