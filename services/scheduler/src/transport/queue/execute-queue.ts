import {
  type ArmedJob,
  executeJobId,
  executePoolsKey,
  executeQueueName,
  executeQueuesKey,
  ExecuteJobSchema,
  parseExecuteQueueName,
  toJson,
} from '@fluxi/contracts';
import type { Logger } from '@fluxi/common';
import { Queue, type IRedisClient, type Job } from 'bullmq';
import type { QueuedAttemptState } from '../../domain/holding.js';
import type { ExecuteQueue, QueuedAttempt } from '../../engine/ports.js';
import { errorSummary } from '../../domain/error-summary.js';

/** BullMQ job name of an executor job. */
export const EXECUTE_JOB_NAME = 'execute';

/** Finished jobs are kept a day (at most 10000), so a recovery does not run them again. */
const KEEP = { age: 86_400, count: 10_000 };

/** The BullMQ job of an attempt: the queue of its pool and tags, its name, data and options. */
export function bullJobOf({ job, delayMs }: QueuedAttempt): ArmedJob {
  const spec = job.job;
  return {
    queue: executeQueueName(spec?.pool ?? '', spec?.tags ?? []),
    name: EXECUTE_JOB_NAME,
    data: { payload: toJson(ExecuteJobSchema, job) },
    opts: {
      jobId: executeJobId(job.jobRunId, job.attempt),
      ...(delayMs > 0 ? { delay: delayMs } : {}),
      attempts: 1,
      removeOnComplete: KEEP,
      removeOnFail: KEEP,
    },
  };
}

/** The Redis set members (key, member) that list a queue for the executors of its pool. */
export function registrationOf(prefix: string, name: string): [string, string][] {
  const route = parseExecuteQueueName(name);
  if (route === undefined) throw new Error(`${name} is not an execute queue name`);
  return [
    [executePoolsKey(prefix), route.pool],
    [executeQueuesKey(prefix, route.pool), name],
  ];
}

/** Jobs of one pool's queues in each state. */
export interface QueueDepth {
  waiting: number;
  delayed: number;
  active: number;
}

/** The Redis commands the queue registry needs besides BullMQ's (ioredis has them). */
export interface RegistryRedis {
  sadd(key: string, ...members: string[]): Promise<number>;
  smembers(key: string): Promise<string[]>;
}

/**
 * The executor queues: one BullMQ queue per pool and tag set (`executeQueueName`), each
 * job in the queue of its JobSpec's pool and tags. Every queue used is registered first in
 * Redis sets (`executeQueuesKey` per pool, `executePoolsKey`): executors of a pool read
 * them to consume the queues whose tags they carry, and this class reads them to find the
 * queue of an attempt it is asked about (the attempt is in exactly one).
 */
export class BullExecuteQueue implements ExecuteQueue {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: IRedisClient & RegistryRedis,
    private readonly options: { prefix: string; logger: Logger },
  ) {}

  async enqueue(attempts: readonly QueuedAttempt[]): Promise<void> {
    const byQueue = new Map<string, ArmedJob[]>();
    for (const attempt of attempts) {
      const job = bullJobOf(attempt);
      byQueue.set(job.queue, [...(byQueue.get(job.queue) ?? []), job]);
    }
    for (const [name, group] of byQueue) {
      // The registration goes out first on the connection and the jobs right behind it, without
      // waiting for its reply in between (a reply waits for the event loop: milliseconds when busy).
      await Promise.all([
        this.register(name),
        this.queue(name).addBulk(group.map(({ name: jobName, data, opts }) => ({ name: jobName, data, opts }))),
      ]);
    }
  }

  async holds(jobRunId: string, attempt: number): Promise<boolean> {
    return (await this.find(jobRunId, attempt)) !== undefined;
  }

  /** Where the queue has this attempt (reconciliation). */
  async inspect(jobRunId: string, attempt: number): Promise<QueuedAttemptState> {
    const job = await this.find(jobRunId, attempt);
    if (job === undefined) return { state: 'missing' };
    const state = await job.getState();
    switch (state) {
      case 'active':
        return { state: 'active', ...(job.processedBy === undefined ? {} : { processedBy: job.processedBy }) };
      case 'completed':
        return { state: 'completed' };
      case 'failed': {
        // BullMQ's reason: the executor's error ("gave up publishing …"), or a stall ("job stalled more than allowable limit").
        // The job was read before its state: when it failed in between, its reason (written with the move) is read again.
        const failedReason = job.failedReason ?? (await this.find(jobRunId, attempt))?.failedReason;
        return { state: 'failed', failedReason: failedReason ?? '' };
      }
      case 'unknown':
        // Removed between the two reads.
        return { state: 'missing' };
      default:
        // waiting, delayed, prioritized, waiting-children.
        return { state: 'waiting' };
    }
  }

  async remove(jobRunId: string, attempt: number): Promise<boolean> {
    const job = await this.find(jobRunId, attempt);
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

  /** Jobs per pool now: waiting (and prioritized) for an executor, delayed (retry backoffs), active (metrics, stats). */
  async depths(): Promise<Map<string, QueueDepth>> {
    const byPool = new Map<string, QueueDepth>();
    for (const name of await this.registeredQueues()) {
      const pool = parseExecuteQueueName(name)?.pool ?? 'default';
      const counts = await this.queue(name).getJobCounts('waiting', 'prioritized', 'delayed', 'active');
      const depth = byPool.get(pool) ?? { waiting: 0, delayed: 0, active: 0 };
      depth.waiting += (counts.waiting ?? 0) + (counts.prioritized ?? 0);
      depth.delayed += counts.delayed ?? 0;
      depth.active += counts.active ?? 0;
      byPool.set(pool, depth);
    }
    return byPool;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }

  /** The attempt's job in whichever queue holds it: the queues known here, then every registered one. */
  private async find(jobRunId: string, attempt: number): Promise<Job | undefined> {
    const id = executeJobId(jobRunId, attempt);
    const known = await this.findIn([...this.queues.keys()], id);
    if (known !== undefined) return known;
    const registered = (await this.registeredQueues()).filter((name) => !this.queues.has(name));
    return this.findIn(registered, id);
  }

  private async findIn(names: readonly string[], id: string): Promise<Job | undefined> {
    const jobs = await Promise.all(names.map((name) => this.queue(name).getJob(id)));
    return jobs.find((job): job is Job => job !== undefined && job !== null);
  }

  /** Every execute queue the registry lists, of every pool. */
  private async registeredQueues(): Promise<string[]> {
    const { prefix } = this.options;
    const pools = await this.connection.smembers(executePoolsKey(prefix));
    const names = await Promise.all(pools.map((pool) => this.connection.smembers(executeQueuesKey(prefix, pool))));
    return names.flat().filter((name) => parseExecuteQueueName(name) !== undefined);
  }

  /** Lists a queue for the executors of its pool (idempotent; sent with each enqueue, so it survives a Redis reset). */
  async register(name: string): Promise<void> {
    await Promise.all(
      registrationOf(this.options.prefix, name).map(([key, member]) => this.connection.sadd(key, member)),
    );
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = new Queue(name, { connection: this.connection, prefix: this.options.prefix });
      // Without a listener an 'error' event would crash the process; BullMQ reconnects by itself.
      queue.on('error', (error) =>
        this.options.logger.warn({ err: errorSummary(error), queue: name }, 'execute queue error'),
      );
      this.queues.set(name, queue);
    }
    return queue;
  }
}
