import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobOutcome, armedAttemptKey, armedOnKey, type ArmedJob, type ExecuteJob } from '@fluxi/contracts';
import { ExecuteJobSchema, executeJobId, executeQueueName, toJson } from '@fluxi/contracts';
import { createRedisClient } from '@fluxi/messaging';
import { silentLogger } from '@fluxi/common';
import {
  dataDirOf,
  enqueue,
  executeJob,
  startTestExecutor,
  startTestServers,
  testConfig,
  type TestExecutor,
  type TestServers,
} from './helpers.js';

/**
 * The executor's half of the fast path: the job runs a scheduler armed on an attempt (a Redis
 * key holding the BullMQ job, listed under the attempt) are enqueued by the executor the moment
 * that attempt succeeds, and marked taken so the scheduler does not enqueue them too.
 */
let servers: TestServers;
let running: TestExecutor;
let redis: ReturnType<typeof createRedisClient>;
let prefix: string;

beforeAll(async () => {
  servers = await startTestServers('fluxi-armed-');
  running = await startTestExecutor(servers, testConfig(dataDirOf(servers), { concurrency: 2 }));
  prefix = running.config.redis.prefix;
  redis = createRedisClient(servers.redisServer.url, silentLogger());
});

afterAll(async () => {
  await redis?.quit();
  await running?.stop();
  await servers?.stop();
});

/** Arms `next` on attempt 1 of `on`, as the scheduler stores it. */
async function arm(next: ExecuteJob, on: ExecuteJob, job?: string): Promise<string> {
  const armed: ArmedJob = {
    queue: executeQueueName(running.config.executor.pool),
    name: 'execute',
    data: { payload: toJson(ExecuteJobSchema, next) },
    opts: { jobId: executeJobId(next.jobRunId, next.attempt), attempts: 1 },
  };
  const key = armedAttemptKey(prefix, next.jobRunId, next.attempt);
  await redis.set(key, job ?? JSON.stringify(armed), 'PX', 60_000);
  await redis.sadd(armedOnKey(prefix, on.jobRunId, on.attempt), key);
  return key;
}

describe('job runs armed on an attempt', () => {
  it('are enqueued by the executor when it succeeds, once, and marked taken', async () => {
    const first = executeJob({ command: 'echo first' });
    const second = executeJob({ command: 'echo second' });
    const key = await arm(second, first);
    await enqueue(running.queue, first);
    const ran = await servers.collector.attempt(second.jobRunId);
    expect(ran.finished.outcome).toBe(JobOutcome.SUCCESS);
    expect(await redis.get(key)).toBe('taken');
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    expect(await redis.exists(armedOnKey(prefix, first.jobRunId, 1))).toBe(0);
    expect((await running.queue.getJob(second.jobRunId))?.attemptsStarted).toBe(1);
  });

  it('stay armed when the attempt fails (the scheduler decides), and the list of them goes', async () => {
    const failing = executeJob({ command: 'exit 3' });
    const next = executeJob({ command: 'echo never' });
    const key = await arm(next, failing);
    await enqueue(running.queue, failing);
    const ran = await servers.collector.attempt(failing.jobRunId);
    expect(ran.finished.outcome).toBe(JobOutcome.FAILED);
    expect(JSON.parse((await redis.get(key)) as string)).toMatchObject({ name: 'execute' });
    expect(await running.queue.getJob(next.jobRunId)).toBeUndefined();
    await expect.poll(() => redis.exists(armedOnKey(prefix, failing.jobRunId, 1))).toBe(0);
  });

  it('leave one the scheduler claimed first alone, and log a malformed one without enqueueing it', async () => {
    const first = executeJob({ command: 'echo first' });
    const claimed = executeJob({ command: 'echo claimed' });
    const malformed = executeJob({ command: 'echo malformed' });
    const claimedKey = await arm(claimed, first);
    await redis.del(claimedKey);
    const malformedKey = await arm(malformed, first, '{"queue":"not a queue"}');
    await enqueue(running.queue, first);
    await servers.collector.attempt(first.jobRunId);
    await expect.poll(() => redis.get(malformedKey)).toBe('taken');
    expect(await redis.get(claimedKey)).toBeNull();
    expect(await running.queue.getJob(claimed.jobRunId)).toBeUndefined();
    expect(await running.queue.getJob(malformed.jobRunId)).toBeUndefined();
  });
});
