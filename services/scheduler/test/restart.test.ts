import type { RunningService } from '@fluxi/common';
import { executeQueueName } from '@fluxi/contracts';
import { tempDir, waitFor } from '@fluxi/testkit';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient } from '@fluxi/messaging';
import { FakeCatalog } from './support/fake-catalog.js';
import { FakeExecutor, type Outcome } from './support/fake-executor.js';
import {
  getRun,
  startInfra,
  startScheduler,
  statusesByName,
  triggerPipeline,
  waitForRunEnd,
  type Infra,
} from './support/infra.js';

let infra: Infra;
let catalog: FakeCatalog;
let executor: FakeExecutor;
let scheduler: RunningService | undefined;
const dataDir = tempDir('fluxi-scheduler-restart-').path;

beforeAll(async () => {
  infra = await startInfra();
  catalog = await new FakeCatalog(infra.nats.nc).start();
  executor = new FakeExecutor(infra.nats, infra.redisServer.url);
  scheduler = await startScheduler(infra, { dataDir });
});

afterAll(async () => {
  await scheduler?.stop();
  await executor?.stop();
  catalog?.stop();
  await infra?.stop();
});

/** Stops the scheduler, runs `whileDown`, and starts it again on the same data folder. */
async function restart(whileDown: () => Promise<void>): Promise<RunningService> {
  await scheduler?.stop();
  scheduler = undefined;
  await whileDown();
  scheduler = await startScheduler(infra, { dataDir });
  return scheduler;
}

describe('a scheduler restart', () => {
  it('continues a run with the events published while it was down', async () => {
    const pipelineId = catalog.addPipeline([[{ name: 'quick' }, { name: 'slow' }], [{ name: 'last' }]]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    executor.behaviour = async (job): Promise<Outcome> => {
      if (job.job?.name === 'slow') await gate;
      return 'SUCCESS';
    };
    executor.start();
    try {
      const first = scheduler as RunningService;
      const run = await triggerPipeline(first, pipelineId);
      await waitFor(async () => statusesByName(await getRun(first, run.id))['slow'] === 'RUNNING' || undefined, {
        what: 'slow to run',
      });
      await waitFor(async () => statusesByName(await getRun(first, run.id))['quick'] === 'SUCCESS' || undefined, {
        what: 'quick to end',
      });

      const second = await restart(async () => {
        release();
        // `slow` finishes while the scheduler is down; its events wait in JetStream.
        await waitFor(() => executor.pickups.some((p) => p.name === 'slow') && executorIdle(), {
          what: 'slow to finish',
        });
      });
      const ended = await waitForRunEnd(second, run.id);
      expect(ended.status).toBe('SUCCESS');
      expect(statusesByName(ended)).toEqual({ quick: 'SUCCESS', slow: 'SUCCESS', last: 'SUCCESS' });
      expect(
        executor.pickups
          .filter((p) => p.pipelineRunId === run.id)
          .map((p) => p.name)
          .sort(),
      ).toEqual(['last', 'quick', 'slow']);
    } finally {
      release();
      executor.behaviour = () => 'SUCCESS';
      await executor.stop();
    }
  });

  it('enqueues again a QUEUED job run whose queue entry was lost, and not one the queue kept', async () => {
    // The executor is down: both jobs wait in the queue.
    const lostPipeline = catalog.addPipeline([[{ name: 'lost' }]]);
    const keptPipeline = catalog.addPipeline([[{ name: 'kept' }]]);
    const lost = await triggerPipeline(scheduler as RunningService, lostPipeline);
    const kept = await triggerPipeline(scheduler as RunningService, keptPipeline);
    const lostId = lost.jobRuns[0]?.id as string;
    const keptId = kept.jobRuns[0]?.id as string;
    const connection = createRedisClient(infra.redisServer.url);
    const queue = new Queue(executeQueueName('default'), { connection, prefix: 'fluxi' });
    try {
      const next = await restart(async () => {
        // As if the scheduler had crashed between its commit and the enqueue of `lost`.
        await queue.remove(lostId);
        expect(await queue.getJob(lostId)).toBeUndefined();
        // `kept` runs to the end while the scheduler is down; BullMQ keeps the finished job.
        executor.start();
        await waitFor(async () => (await queue.getJob(keptId))?.finishedOn !== undefined || undefined, {
          what: 'kept to finish',
        });
        await waitFor(() => executorIdle(), { what: 'kept events' });
      });
      expect((await waitForRunEnd(next, lost.id)).status).toBe('SUCCESS');
      expect((await waitForRunEnd(next, kept.id)).status).toBe('SUCCESS');
      expect(executor.pickups.filter((p) => p.jobRunId === lostId)).toHaveLength(1);
      expect(executor.pickups.filter((p) => p.jobRunId === keptId)).toHaveLength(1);
    } finally {
      await executor.stop();
      await queue.close();
      await connection.quit();
    }
  });
});

/** True when every job the executor picked up has published its finished event. */
function executorIdle(): boolean {
  return executor.inFlight === 0;
}
