import { Queue, type Job } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import { executeQueueName, executeQueuesKey } from '@fluxi/contracts';
import { createRedisClient, redisConnection } from '@fluxi/messaging';
import { startRedisServer, waitFor, type ServerProcess } from '@fluxi/testkit';
import type { HostSample } from '../src/domain/host-admission.js';
import { QueueSubscriptions, type QueueSubscriptionOptions } from '../src/transport/queue-subscriptions.js';

let redis: ServerProcess;
let client: ReturnType<typeof createRedisClient>;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  redis = await startRedisServer();
  client = createRedisClient(redis.url);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await client?.quit();
  await redis?.stop();
});

/** Jobs that stay running until released, recording how many run at once and on which queue. */
class Recorder {
  running = 0;
  maxRunning = 0;
  readonly started: { id: string; queue: string }[] = [];
  private releases: Array<() => void> = [];

  readonly process = async (job: Job): Promise<void> => {
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.started.push({ id: job.id ?? '', queue: job.queueName });
    await new Promise<void>((resolve) => this.releases.push(resolve));
    this.running -= 1;
  };

  releaseAll(): void {
    for (const release of this.releases.splice(0)) release();
  }
}

function subscriptions(prefix: string, fields: Partial<QueueSubscriptionOptions>): QueueSubscriptions {
  const recorder = new Recorder();
  const subs = new QueueSubscriptions({
    redisUrl: redis.url,
    prefix,
    pool: 'p',
    tags: [],
    concurrency: 2,
    name: 'test-executor',
    watchMs: 50,
    admission: { checkMs: 50 },
    logger: silentLogger(),
    process: recorder.process,
    ...fields,
  });
  cleanups.push(() => subs.close());
  return subs;
}

/** Adds jobs to a queue and lists the queue in the pool's set, as the scheduler does. */
async function enqueue(prefix: string, pool: string, tags: string[], ids: string[]): Promise<void> {
  const name = executeQueueName(pool, tags);
  await client.sadd(executeQueuesKey(prefix, pool), name);
  const queue = new Queue(name, { connection: redisConnection(redis.url), prefix });
  cleanups.push(() => queue.close());
  await queue.addBulk(ids.map((id) => ({ name: 'execute', data: {}, opts: { jobId: id } })));
}

let counter = 0;
const freshPrefix = () => `qs${++counter}${Math.random().toString(36).slice(2, 6)}`;

describe('queue subscriptions', () => {
  it('read every listed queue of the pool whose tags the executor carries, and no other', async () => {
    const prefix = freshPrefix();
    const recorder = new Recorder();
    const subs = subscriptions(prefix, { tags: ['gpu', 'arm64'], concurrency: 8, process: recorder.process });
    await subs.start();
    expect(subs.queues()).toEqual(['execute-p']);
    await enqueue(prefix, 'p', [], ['plain']);
    await enqueue(prefix, 'p', ['gpu'], ['gpu']);
    await enqueue(prefix, 'p', ['arm64', 'gpu'], ['both']);
    await enqueue(prefix, 'p', ['gpu', 'big-mem'], ['missing-tag']);
    await enqueue(prefix, 'q', [], ['other-pool']);
    await waitFor(() => recorder.started.length === 3, { what: 'the three jobs it can take to start' });
    expect(subs.queues()).toEqual(['execute-p', 'execute-p--arm64+gpu', 'execute-p--gpu']);
    expect(recorder.started.map((s) => s.id).sort()).toEqual(['both', 'gpu', 'plain']);
    recorder.releaseAll();
  });

  it('never run more attempts at once than the concurrency, across all its queues', async () => {
    const prefix = freshPrefix();
    const recorder = new Recorder();
    const subs = subscriptions(prefix, { tags: ['x', 'y'], concurrency: 2, process: recorder.process });
    await subs.start();
    const ids = (queue: string) => Array.from({ length: 3 }, (_, i) => `${queue}-${i}`);
    await enqueue(prefix, 'p', [], ids('none'));
    await enqueue(prefix, 'p', ['x'], ids('x'));
    await enqueue(prefix, 'p', ['y'], ids('y'));
    await enqueue(prefix, 'p', ['x', 'y'], ids('xy'));
    await waitFor(() => subs.queues().length === 4, { what: 'the four queues to be read' });
    // Twelve jobs: two at a time, each pair released once it runs.
    while (recorder.started.length < 12) {
      await waitFor(() => recorder.running === 2 || recorder.started.length === 12, {
        what: 'two jobs to run',
        timeoutMs: 20_000,
      });
      expect(recorder.running).toBeLessThanOrEqual(2);
      recorder.releaseAll();
      await waitFor(() => recorder.running === 0 || recorder.running === 2 || recorder.started.length === 12, {
        what: 'the released jobs to end',
      });
    }
    recorder.releaseAll();
    expect(recorder.maxRunning).toBe(2);
    expect(new Set(recorder.started.map((s) => s.queue)).size).toBe(4);
  });

  it('take no job while the host is under its admission thresholds, and resume when it is back', async () => {
    const prefix = freshPrefix();
    const recorder = new Recorder();
    let host: HostSample = { freeMemoryMiB: 100, loadPerCpu: 0.1 };
    let changes = 0;
    const subs = subscriptions(prefix, {
      admission: { minFreeMemoryMiB: 512, checkMs: 20 },
      host: () => host,
      onHostChange: () => (changes += 1),
      process: recorder.process,
    });
    await subs.start();
    expect(subs.pausedFor()).toEqual(['host']);
    expect(subs.hostProblem).toBe('free memory 100 MiB is under 512 MiB');
    expect(changes).toBe(1);
    await enqueue(prefix, 'p', [], ['held']);
    const checks = subs.hostChecks;
    await waitFor(() => subs.hostChecks >= checks + 5, { what: 'five more admission checks' });
    expect(recorder.started).toEqual([]);
    const queue = new Queue(executeQueueName('p'), { connection: redisConnection(redis.url), prefix });
    cleanups.push(() => queue.close());
    expect(await (await queue.getJob('held'))?.getState()).toBe('waiting');
    host = { freeMemoryMiB: 4096, loadPerCpu: 0.1 };
    await waitFor(() => recorder.started.length === 1, { what: 'the job to start once the host is back' });
    expect(subs.pausedFor()).toEqual([]);
    expect(subs.hostProblem).toBeUndefined();
    // Told when the pause began and when it ended, not at every check.
    expect(changes).toBe(2);
    recorder.releaseAll();
  });

  it('take no job during a drain, and take them again on resume', async () => {
    const prefix = freshPrefix();
    const recorder = new Recorder();
    const subs = subscriptions(prefix, { tags: ['gpu'], process: recorder.process });
    await subs.start();
    await subs.pause();
    await enqueue(prefix, 'p', ['gpu'], ['during-drain']);
    await waitFor(() => subs.queues().includes('execute-p--gpu'), { what: 'the gpu queue to be read' });
    const queue = new Queue(executeQueueName('p', ['gpu']), { connection: redisConnection(redis.url), prefix });
    cleanups.push(() => queue.close());
    expect(await (await queue.getJob('during-drain'))?.getState()).toBe('waiting');
    await subs.resume();
    await waitFor(() => recorder.started.length === 1, { what: 'the job to start after resume' });
    recorder.releaseAll();
  });
});
