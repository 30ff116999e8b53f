import { join } from 'node:path';
import { silentLogger, type RunningService } from '@fluxi/common';
import { executeQueueName } from '@fluxi/contracts';
import { openDatabase } from '@fluxi/db';
import { createRedisClient } from '@fluxi/messaging';
import { tempDir, waitFor } from '@fluxi/testkit';
import { Queue, type IRedisClient } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunEngine } from '../src/engine/run-engine.js';
import { RunStore } from '../src/store/run-store.js';
import { NatsCatalogClient } from '../src/transport/nats/catalog-client.js';
import { NatsExecutorControl } from '../src/transport/nats/executor-control.js';
import { StreamFinishEvents } from '../src/transport/nats/finish-events.js';
import { QueueAttemptHolders } from '../src/transport/queue/attempt-holders.js';
import { BullExecuteQueue } from '../src/transport/queue/execute-queue.js';
import { FakeCatalog } from './support/fake-catalog.js';
import { FakeExecutor, startedEvent, type Outcome } from './support/fake-executor.js';
import {
  attemptsOf,
  getRun,
  graphqlData,
  startInfra,
  startScheduler,
  waitForRunEnd,
  type Infra,
  type RunView,
} from './support/infra.js';

/**
 * Reconciliation against real BullMQ jobs: a job run the store has as RUNNING whose
 * attempt the queue failed or lost ends FAILED (infrastructure) and follows its retry
 * rules; one whose queue job completed is left to its finish event.
 */
let infra: Infra;
let catalog: FakeCatalog;
let executor: FakeExecutor;
let scheduler: RunningService | undefined;
let connection: IRedisClient;
let queue: Queue;
const dataDir = tempDir('fluxi-scheduler-reconcile-').path;
const start = () => startScheduler(infra, { dataDir, flags: { 'scheduler.reconcileIntervalSec': 0.5 } });

beforeAll(async () => {
  infra = await startInfra();
  catalog = await new FakeCatalog(infra.nats.nc).start();
  executor = new FakeExecutor(infra.nats, infra.redisServer.url);
  connection = createRedisClient(infra.redisServer.url);
  queue = new Queue(executeQueueName('default'), { connection, prefix: 'fluxi' });
  scheduler = await start();
});

afterAll(async () => {
  await scheduler?.stop();
  await executor?.stop();
  await queue?.close();
  await connection?.quit();
  catalog?.stop();
  await infra?.stop();
});

async function waitForStatus(run: RunView, status: string): Promise<void> {
  await waitFor(async () => (await getRun(scheduler as RunningService, run.id)).jobRuns[0]?.status === status, {
    what: `${run.jobRuns[0]?.name} to be ${status}`,
  });
}

describe('reconciliation', () => {
  it('ends a RUNNING job run whose queue job failed, and retries it as a new attempt', async () => {
    const failure = 'gave up publishing the finished event: the executor is stopping';
    const pipelineId = catalog.addPipeline([[{ name: 'rc-failed', maxAttempts: 2 }]]);
    executor.behaviour = async (job): Promise<Outcome> => {
      if (job.attempt === 1) {
        // Started, then the executor gives up: the BullMQ job fails, no finish event is published.
        await waitFor(async () => (await getRun(scheduler!, job.pipelineRunId)).jobRuns[0]?.status === 'RUNNING');
        throw new Error(failure);
      }
      return 'SUCCESS';
    };
    executor.start();
    try {
      const run = await waitForRunEnd(scheduler!, (await graphqlTrigger(pipelineId)).id);
      expect(run.status).toBe('SUCCESS');
      const jobRun = run.jobRuns[0] as RunView['jobRuns'][0];
      expect(jobRun).toMatchObject({ status: 'SUCCESS', attempt: 2 });
      expect(await attemptsOf(scheduler as RunningService, jobRun.id)).toEqual([
        {
          attempt: 1,
          status: 'FAILED',
          failureClass: 'INFRASTRUCTURE',
          reason: `executor lost: the queue reports the attempt failed: ${failure}`,
        },
        { attempt: 2, status: 'SUCCESS', failureClass: null, reason: null },
      ]);
      expect((await queue.getJob(jobRun.id))?.failedReason).toBe(failure);
      expect(executor.pickups.filter((p) => p.jobRunId === jobRun.id).map((p) => p.bullJobId)).toEqual([
        jobRun.id,
        `${jobRun.id}-a2`,
      ]);
    } finally {
      executor.behaviour = () => 'SUCCESS';
      await executor.stop();
    }
  });

  it('ends a RUNNING job run whose queue job is gone', async () => {
    // No executor: the attempt waits in the queue until the test removes it.
    const run = await graphqlTrigger(catalog.addPipeline([[{ name: 'rc-missing' }]]));
    const jobRunId = run.jobRuns[0]?.id as string;
    await executor.publish(startedEvent({ jobRunId, pipelineRunId: run.id, attempt: 1 }));
    await waitForStatus(run, 'RUNNING');
    await queue.remove(jobRunId);

    const ended = await waitForRunEnd(scheduler!, run.id);
    expect(ended.status).toBe('FAILED');
    expect(ended.jobRuns[0]).toMatchObject({
      status: 'FAILED',
      failureClass: 'INFRASTRUCTURE',
      reason: 'executor lost: the attempt is missing from the queue',
      attempt: 1,
    });
  });

  it('leaves a job run whose queue job completed to its finish event, however long ago it completed', async () => {
    const run = await graphqlTrigger(catalog.addPipeline([[{ name: 'rc-completed' }]]));
    const jobRunId = run.jobRuns[0]?.id as string;
    await executor.publish(startedEvent({ jobRunId, pipelineRunId: run.id, attempt: 1 }));
    await waitForStatus(run, 'RUNNING');
    // The executor finishes while the scheduler is down: BullMQ has the job completed,
    // its finish event waits on the stream.
    await scheduler?.stop();
    scheduler = undefined;
    executor.start();
    await waitFor(async () => (await queue.getJob(jobRunId))?.finishedOn !== undefined || undefined, {
      what: 'the queue job to complete',
    });
    await waitFor(() => executor.inFlight === 0, { what: 'the finish event' });
    await executor.stop();
    expect(await queue.getJob(jobRunId).then((job) => job?.getState())).toBe('completed');

    // A reconciliation pass a day later, before any consumer reads the event: nothing is lost.
    const passed = await reconcileOnce(new Date(Date.now() + 86_400_000));
    expect(passed).toEqual({ ended: 0, status: 'RUNNING' });

    scheduler = await start();
    const ended = await waitForRunEnd(scheduler, run.id);
    expect(ended.status).toBe('SUCCESS');
    expect(ended.jobRuns[0]).toMatchObject({ status: 'SUCCESS', attempt: 1, failureClass: null });
    expect(await attemptsOf(scheduler as RunningService, jobRunId)).toEqual([
      { attempt: 1, status: 'SUCCESS', failureClass: null, reason: null },
    ]);
  });
});

async function graphqlTrigger(pipelineId: string): Promise<RunView> {
  const data = await graphqlData<{ triggerPipeline: RunView }>(
    scheduler as RunningService,
    'mutation ($id: ID!) { triggerPipeline(id: $id) { id jobRuns { id name status attempt } } }',
    { id: pipelineId },
  );
  return data.triggerPipeline;
}

/** One pass of the engine's reconciliation over the stopped scheduler's store, at `now`; the job run's status after it. */
async function reconcileOnce(now: Date): Promise<{ ended: number; status: string | undefined }> {
  const db = await openDatabase({ embeddedDir: join(dataDir, 'db', 'scheduler'), schema: 'scheduler' });
  const redis = createRedisClient(infra.redisServer.url);
  const logger = silentLogger();
  const executeQueue = new BullExecuteQueue(redis, { prefix: 'fluxi', logger });
  try {
    const store = new RunStore(db);
    const engine = new RunEngine({
      store,
      catalog: new NatsCatalogClient(infra.nats.nc),
      queue: executeQueue,
      executors: new NatsExecutorControl(infra.nats.js),
      holders: new QueueAttemptHolders(executeQueue, new StreamFinishEvents(infra.nats)),
      logger,
      now: () => now,
      random: () => 0,
    });
    const ended = await engine.reconcile.pass();
    const open = await store.listOpenAttempts();
    return { ended, status: open.length === 1 ? open[0]?.status : `${open.length} open job runs` };
  } finally {
    await executeQueue.close();
    await redis.quit();
    await db.close();
  }
}
