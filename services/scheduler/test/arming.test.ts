import { join } from 'node:path';
import { silentLogger } from '@fluxi/common';
import { ARMED_TAKEN, armedAttemptKey, armedOnKey, executeQueueName, type ExecuteJob } from '@fluxi/contracts';
import { openDatabase, type Database } from '@fluxi/db';
import { createRedisClient } from '@fluxi/messaging';
import { tempDir } from '@fluxi/testkit';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunEngine } from '../src/engine/run-engine.js';
import { RunStore } from '../src/store/run-store.js';
import { NatsCatalogClient } from '../src/transport/nats/catalog-client.js';
import { RedisArmedHandOvers } from '../src/transport/queue/armed-hand-overs.js';
import { BullExecuteQueue } from '../src/transport/queue/execute-queue.js';
import { FakeCatalog } from './support/fake-catalog.js';
import { finishedEvent, startedEvent } from './support/fake-executor.js';
import { startInfra, type Infra } from './support/infra.js';

/**
 * The scheduler's half of the fast path, on a real store, Redis and BullMQ (no executor: the
 * test takes the executor's part by hand where it needs one): what a step arms, what it stores
 * for the executor, and how it settles an armed job run when what it waited for ends.
 */
let infra: Infra;
let catalog: FakeCatalog;
let db: Database;
let store: RunStore;
let redis: ReturnType<typeof createRedisClient>;
let queue: BullExecuteQueue;
let bull: Queue;
const PREFIX = 'arming';

function engineWith(arming: boolean): RunEngine {
  return new RunEngine({
    store,
    catalog: new NatsCatalogClient(infra.nats.nc),
    queue,
    executors: { cancel: async () => undefined },
    holders: { observe: async () => ({ queue: { state: 'waiting' } }) },
    logger: silentLogger(),
    now: () => new Date(),
    random: () => 0,
    armed: new RedisArmedHandOvers(redis, PREFIX),
    arming,
  });
}

beforeAll(async () => {
  infra = await startInfra();
  catalog = await new FakeCatalog(infra.nats.nc).start();
  db = await openDatabase({ embeddedDir: join(tempDir('fluxi-arming-').path, 'db'), schema: 'scheduler' });
  store = new RunStore(db);
  await store.migrate();
  redis = createRedisClient(infra.redisServer.url);
  queue = new BullExecuteQueue(redis, { prefix: PREFIX, logger: silentLogger() });
  bull = new Queue(executeQueueName(''), { connection: redis, prefix: PREFIX });
});

afterAll(async () => {
  await bull?.close();
  await queue?.close();
  await redis?.quit();
  await db?.close();
  catalog?.stop();
  await infra?.stop();
});

/** A run of a → b → c; the first attempt enqueued (a), and the job run ids by name. */
async function chainRun(engine: RunEngine): Promise<{ a: ExecuteJob; ids: Map<string, string> }> {
  const pipelineId = catalog.addPipeline([[{ name: 'a' }], [{ name: 'b' }], [{ name: 'c' }]]);
  const { id: runId } = await engine.trigger.trigger({ pipelineId }, { trigger: 'manual', triggeredBy: null });
  const locked = await store.transaction((tx) => tx.lockRun(runId));
  const ids = new Map(locked?.jobRuns.map((jobRun) => [jobRun.name, jobRun.id]));
  const first = await bull.getJob(ids.get('a') as string);
  return { a: first?.data.payload as ExecuteJob, ids };
}

const jobOf = (payload: unknown) => payload as ExecuteJob & { jobRunId: string; pipelineRunId: string };

async function dispatchedAttempt(jobRunId: string): Promise<unknown> {
  const rows = await db.query<{ status: string; dispatched_attempt: number | null }>(
    'SELECT status, dispatched_attempt FROM job_runs WHERE id = $1',
    [jobRunId],
  );
  return rows[0];
}

describe('arming', () => {
  it('arms the next job run on the queued one from the trigger on, stores its job for the executor, and enqueues it itself when nobody took it', async () => {
    const engine = engineWith(true);
    const { a, ids } = await chainRun(engine);
    const b = ids.get('b') as string;
    const job = jobOf(a);
    expect(await dispatchedAttempt(b)).toEqual({ status: 'PENDING', dispatched_attempt: 1 });
    await engine.advance.apply(startedEvent(job));
    expect(await dispatchedAttempt(b)).toEqual({ status: 'PENDING', dispatched_attempt: 1 });
    const key = armedAttemptKey(PREFIX, b, 1);
    expect(JSON.parse((await redis.get(key)) as string)).toMatchObject({
      queue: executeQueueName(''),
      name: 'execute',
    });
    expect(await redis.smembers(armedOnKey(PREFIX, a.jobRunId, 1))).toEqual([key]);
    // Only the next stage: c waits for b, which has not started.
    expect(await redis.exists(armedAttemptKey(PREFIX, ids.get('c') as string, 1))).toBe(0);
    expect(await bull.getJob(b)).toBeUndefined();

    await engine.advance.apply(finishedEvent(job, 'SUCCESS'));
    // Nobody took it: the scheduler claimed it (the key is gone) and enqueued it.
    expect(await redis.exists(key)).toBe(0);
    expect((await bull.getJob(b))?.name).toBe('execute');
    expect(await dispatchedAttempt(b)).toEqual({ status: 'QUEUED', dispatched_attempt: 1 });
    // b queued: c is armed on it in the same step.
    expect(await dispatchedAttempt(ids.get('c') as string)).toEqual({ status: 'PENDING', dispatched_attempt: 1 });
  });

  it('leaves one an executor took to it, and accepts its start ahead of the end it waited for', async () => {
    const engine = engineWith(true);
    const { a, ids } = await chainRun(engine);
    const b = ids.get('b') as string;
    const job = jobOf(a);
    await engine.advance.apply(startedEvent(job));
    // The executor's part: it took the armed job (and would enqueue it).
    await redis.set(armedAttemptKey(PREFIX, b, 1), ARMED_TAKEN, 'KEEPTTL');
    // Its start comes first (a finished event still on its way).
    const bJob = jobOf({ jobRunId: b, pipelineRunId: a.pipelineRunId, attempt: 1 });
    expect(await engine.advance.apply(startedEvent(bJob))).toEqual({ applied: true });
    await engine.advance.apply(finishedEvent(job, 'SUCCESS'));
    expect(await dispatchedAttempt(b)).toEqual({ status: 'RUNNING', dispatched_attempt: 1 });
    expect(await bull.getJob(b)).toBeUndefined();
  });

  it('drops what was armed on a failure, and arms nothing with the fast path off', async () => {
    const engine = engineWith(true);
    const { a, ids } = await chainRun(engine);
    const b = ids.get('b') as string;
    await engine.advance.apply(startedEvent(jobOf(a)));
    await engine.advance.apply(finishedEvent(jobOf(a), 'FAILED'));
    expect(await dispatchedAttempt(b)).toMatchObject({ status: 'SKIPPED' });
    expect(await redis.exists(armedAttemptKey(PREFIX, b, 1))).toBe(0);
    expect(await bull.getJob(b)).toBeUndefined();

    const off = engineWith(false);
    const other = await chainRun(off);
    expect(await dispatchedAttempt(other.ids.get('b') as string)).toEqual({
      status: 'PENDING',
      dispatched_attempt: null,
    });
    await off.advance.apply(startedEvent(jobOf(other.a)));
    expect(await dispatchedAttempt(other.ids.get('b') as string)).toEqual({
      status: 'PENDING',
      dispatched_attempt: null,
    });
    expect(await redis.exists(armedAttemptKey(PREFIX, other.ids.get('b') as string, 1))).toBe(0);
  });
});
