import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, type JobsOptions } from 'bullmq';
import type { Logger } from '@fluxi/common';
import { ARMED_TAKEN, armedOnKey, parseExecuteQueueName, type ArmedJob } from '@fluxi/contracts';
import { createRedisClient } from '@fluxi/messaging';
import { EXECUTOR_DEPS, type ExecutorDeps } from '../deps.js';

/**
 * Takes the set of the attempts armed on one attempt (KEYS[1]) and, of each armed attempt's key
 * still holding its job, returns the job and leaves `taken` in its place (its expiry kept): the
 * scheduler then knows not to enqueue it too. One Redis step, so exactly one of them does.
 */
const TAKE_SCRIPT = `
local members = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
local out = {}
for _, key in ipairs(members) do
  local value = redis.call('GET', key)
  if value and value ~= '${ARMED_TAKEN}' then
    redis.call('SET', key, '${ARMED_TAKEN}', 'KEEPTTL')
    out[#out + 1] = value
  end
end
return out`;

/**
 * The executor's half of the fast path: when an attempt succeeds (its `finished` event
 * acknowledged), the job runs the scheduler armed on it are enqueued at once, so the next
 * step of a pipeline starts without waiting for the scheduler to apply the end (it queues
 * them itself when this could not); a free slot of this executor, or another executor,
 * takes them. Its Redis connection fails fast while Redis is away (no offline queue): what
 * it cannot take then is left to the scheduler.
 */
@Injectable()
export class ArmedSuccessors implements OnApplicationShutdown {
  private readonly logger: Logger;
  private readonly redis;
  private readonly queues = new Map<string, Queue>();

  constructor(@Inject(EXECUTOR_DEPS) private readonly deps: ExecutorDeps) {
    this.logger = deps.logger.child({ component: 'successors' });
    this.redis = createRedisClient(deps.redisUrl, this.logger, deps.config.redis.tls, { offlineQueue: false });
  }

  /**
   * Enqueues what was armed on this attempt once its `finished` event is acknowledged (`published`):
   * what it waits for is recorded before anything armed on it can start. They are taken meanwhile,
   * while the acknowledgement travels. Returns how many were enqueued. Never throws (logged).
   */
  async queueAfter(attempt: { jobRunId: string; attempt: number }, published: Promise<void>): Promise<number> {
    let taken: string[];
    try {
      const key = armedOnKey(this.deps.config.redis.prefix, attempt.jobRunId, attempt.attempt);
      taken = (await this.redis.eval(TAKE_SCRIPT, 1, key)) as string[];
    } catch (error) {
      // Nothing was taken: the scheduler queues them when it applies this attempt's end.
      this.logger.warn({ err: error, jobRunId: attempt.jobRunId }, 'could not read the job runs armed on the attempt');
      return 0;
    }
    try {
      await published;
    } catch {
      // The end is not recorded (the executor gives up): what was taken is enqueued by the scheduler's
      // recovery once that end is known, as after an executor lost between the two.
      if (taken.length > 0) this.logger.warn({ jobRunId: attempt.jobRunId }, 'armed job runs left to the scheduler');
      return 0;
    }
    let queued = 0;
    for (const text of taken) {
      const job = armedJob(text);
      try {
        if (job === undefined) throw new Error('malformed armed job');
        await this.queue(job.queue).add(job.name, job.data, job.opts as JobsOptions);
        queued += 1;
      } catch (error) {
        // Taken, so the scheduler will not enqueue it; its recovery adds a QUEUED job run missing from the queue.
        this.logger.error(
          { err: error, after: attempt.jobRunId, bullJobId: job?.opts['jobId'] },
          'could not enqueue an armed job run; the scheduler recovery enqueues it',
        );
      }
    }
    if (queued > 0) this.logger.debug({ jobRunId: attempt.jobRunId, queued }, 'armed job runs enqueued');
    return queued;
  }

  /**
   * After an attempt that did not succeed: drops the list of what was armed on it (the scheduler
   * settles each armed job run itself when it applies the end). Never throws (logged).
   */
  async forget(attempt: { jobRunId: string; attempt: number }): Promise<void> {
    try {
      await this.redis.del(armedOnKey(this.deps.config.redis.prefix, attempt.jobRunId, attempt.attempt));
    } catch (error) {
      // It expires by itself.
      this.logger.warn({ err: error, jobRunId: attempt.jobRunId }, 'could not drop the list of armed job runs');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
    await this.redis.quit().catch(() => undefined);
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = new Queue(name, { connection: this.redis, prefix: this.deps.config.redis.prefix });
      // Without a listener an 'error' event would crash the process; BullMQ reconnects by itself.
      queue.on('error', (error) => this.logger.warn({ err: error, queue: name }, 'execute queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }
}

/** An armed job as the scheduler stored it; undefined when it is not one (an execute queue, a name, options with a job id). */
export function armedJob(text: string): ArmedJob | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { queue, name, data, opts } = value as Record<string, unknown>;
  if (typeof queue !== 'string' || parseExecuteQueueName(queue) === undefined || typeof name !== 'string') {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || typeof opts !== 'object' || opts === null) return undefined;
  if (typeof (opts as Record<string, unknown>)['jobId'] !== 'string') return undefined;
  return value as ArmedJob;
}
