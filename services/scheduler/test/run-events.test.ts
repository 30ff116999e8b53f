import type { RunningService } from '@fluxi/common';
import { tempDir, waitFor } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCatalog } from './support/fake-catalog.js';
import { FakeExecutor, type Outcome } from './support/fake-executor.js';
import {
  getRun,
  graphqlData,
  startInfra,
  startScheduler,
  statusesByName,
  triggerPipeline,
  waitForRunEnd,
  type Infra,
} from './support/infra.js';
import { oneTo, readRunEvents, seqs, story, waitForRunEndEvent } from './support/run-events.js';

/** Run events through the whole scheduler (PGlite), read back from JetStream. */
let infra: Infra;
let catalog: FakeCatalog;
let executor: FakeExecutor;
let scheduler: RunningService | undefined;
const dataDir = tempDir('fluxi-scheduler-run-events-').path;

beforeAll(async () => {
  infra = await startInfra();
  catalog = await new FakeCatalog(infra.nats.nc).start();
  executor = new FakeExecutor(infra.nats, infra.redisServer.url).start();
  scheduler = await startScheduler(infra, { dataDir });
});

afterAll(async () => {
  await scheduler?.stop();
  await executor?.stop();
  catalog?.stop();
  await infra?.stop();
});

describe('run events', () => {
  it("tell a run's story in order, numbered 1..N, each published with its id as message id", async () => {
    const service = scheduler as RunningService;
    const pipelineId = catalog.addPipeline([[{ name: 'build' }], [{ name: 'test', maxAttempts: 2 }]]);
    const tries = new Map<string, number>();
    executor.behaviour = (job): Outcome => {
      const name = job.job?.name ?? '';
      tries.set(name, (tries.get(name) ?? 0) + 1);
      return name === 'test' && tries.get(name) === 1 ? 'FAILED' : 'SUCCESS';
    };
    const run = await triggerPipeline(service, pipelineId);
    expect((await waitForRunEnd(service, run.id)).status).toBe('SUCCESS');

    const events = await waitForRunEndEvent(infra.nats, run.id);
    expect(seqs(events)).toEqual(oneTo(events.length));
    for (const { event, msgId } of events) {
      expect(event.id).toMatch(/^EV[0-9A-Z]{26}$/);
      expect(msgId).toBe(event.id);
      expect(event.pipelineRunId).toBe(run.id);
      expect(event.pipelineId).toBe(pipelineId);
    }
    expect(new Set(events.map(({ event }) => event.id)).size).toBe(events.length);
    expect(story(events)).toEqual([
      'run: CREATED QUEUED',
      'stage stage1: CREATED QUEUED',
      'stage stage2: CREATED PENDING',
      'build#1: CREATED QUEUED',
      'test#1: CREATED PENDING',
      'build#1: STARTED RUNNING',
      'stage stage1: STARTED RUNNING',
      'run: STARTED RUNNING',
      'build#1: SUCCEEDED SUCCESS',
      'test#1: QUEUED QUEUED',
      'stage stage1: SUCCEEDED SUCCESS',
      'stage stage2: QUEUED QUEUED',
      'test#1: STARTED RUNNING',
      'stage stage2: STARTED RUNNING',
      'test#1: ATTEMPT_ENDED FAILED',
      'test#2: RETRY_SCHEDULED QUEUED',
      // The stage waits again while its only job run waits for its retry.
      'stage stage2: QUEUED QUEUED',
      'test#2: STARTED RUNNING',
      'stage stage2: STARTED RUNNING',
      'test#2: SUCCEEDED SUCCESS',
      'stage stage2: SUCCEEDED SUCCESS',
      'run: SUCCEEDED SUCCESS',
    ]);
    // The pipeline's name as frozen in the run: in the run's CREATED event only.
    const runNames = events.flatMap(({ event }) => (event.entity.case === 'run' ? [event.entity.value.name] : []));
    expect(runNames).toEqual([`pipeline ${pipelineId}`, '', '']);
    const ended = events.at(-1)?.event;
    expect(ended?.entity.case === 'run' && ended.entity.value.endedAtMs > 0n).toBe(true);
    const failedAttempt = events.find(({ event }) => event.entity.case === 'attempt')?.event.entity;
    expect(failedAttempt?.case === 'attempt' && failedAttempt.value.exitCode).toBe(3);
    expect(failedAttempt?.case === 'attempt' && failedAttempt.value.reason).toBe('exited with 3');
  });

  it("hands each attempt to the executors with its pipeline id and the pipeline's log retention", async () => {
    const service = scheduler as RunningService;
    executor.behaviour = () => 'SUCCESS';
    const kept = catalog.addPipeline([[{ name: 'kept' }]]);
    catalog.setRetention(kept, { runDays: 400, logDays: 7 });
    const plain = catalog.addPipeline([[{ name: 'plain' }]]);
    for (const [pipelineId, logDays] of [
      [kept, 7],
      [plain, 0],
    ] as const) {
      const run = await triggerPipeline(service, pipelineId);
      await waitForRunEnd(service, run.id);
      const pickups = executor.pickups.filter((pickup) => pickup.pipelineRunId === run.id);
      expect(pickups.map(({ pipelineId: id, logRetentionDays }) => ({ id, logRetentionDays }))).toEqual([
        { id: pipelineId, logRetentionDays: logDays },
      ]);
    }
  });

  it('are in order with no gap after a scheduler restart mid-run', async () => {
    const pipelineId = catalog.addPipeline([[{ name: 'quick' }, { name: 'slow' }], [{ name: 'last' }]]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    executor.behaviour = async (job): Promise<Outcome> => {
      if (job.job?.name === 'slow') await gate;
      return 'SUCCESS';
    };
    const first = scheduler as RunningService;
    // Whatever happens, the gated job ends (or the executor would not stop).
    afterAll(() => release());
    const run = await triggerPipeline(first, pipelineId);
    await waitFor(async () => statusesByName(await getRun(first, run.id))['slow'] === 'RUNNING' || undefined, {
      what: 'slow to run',
    });
    await waitFor(async () => statusesByName(await getRun(first, run.id))['quick'] === 'SUCCESS' || undefined, {
      what: 'quick to end',
    });
    const before = await waitFor(
      async () => {
        const read = await readRunEvents(infra.nats, run.id);
        return story(read).includes('quick#1: SUCCEEDED SUCCESS') ? read : undefined;
      },
      { what: 'the events so far on the stream' },
    );

    await scheduler?.stop();
    scheduler = undefined;
    // `slow` finishes while the scheduler is down; its events wait in JetStream.
    release();
    await waitFor(() => executor.pickups.some((pickup) => pickup.name === 'slow') || undefined, { what: 'slow' });
    scheduler = await startScheduler(infra, { dataDir });

    expect((await waitForRunEnd(scheduler, run.id)).status).toBe('SUCCESS');
    const events = await waitForRunEndEvent(infra.nats, run.id);
    expect(seqs(events)).toEqual(oneTo(events.length));
    expect(events.slice(0, before.length).map(({ event }) => event.id)).toEqual(before.map(({ event }) => event.id));
    const told = story(events);
    for (const line of ['slow#1: SUCCEEDED SUCCESS', 'last#1: STARTED RUNNING', 'last#1: SUCCEEDED SUCCESS']) {
      expect(told).toContain(line);
    }
    expect(told.indexOf('slow#1: SUCCEEDED SUCCESS')).toBeLessThan(told.indexOf('last#1: STARTED RUNNING'));
    expect(told.at(-1)).toBe('run: SUCCEEDED SUCCESS');
  });

  it('are published for a cancel, and a cancelled run ends the story', async () => {
    const service = scheduler as RunningService;
    const pipelineId = catalog.addPipeline([[{ name: 'hang' }], [{ name: 'after' }]]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    executor.behaviour = async (): Promise<Outcome> => {
      await gate;
      return 'SUCCESS';
    };
    try {
      const run = await triggerPipeline(service, pipelineId);
      await waitFor(async () => statusesByName(await getRun(service, run.id))['hang'] === 'RUNNING' || undefined, {
        what: 'hang to run',
      });
      await graphqlData(service, 'mutation ($id: ID!) { cancelPipelineRun(id: $id) { id } }', { id: run.id });
      const events = await waitForRunEndEvent(infra.nats, run.id);
      expect(seqs(events)).toEqual(oneTo(events.length));
      expect(story(events).slice(-5)).toEqual([
        'hang#1: CANCELLED CANCELLED',
        'after#1: CANCELLED CANCELLED',
        'stage stage1: CANCELLED CANCELLED',
        'stage stage2: CANCELLED CANCELLED',
        'run: CANCELLED CANCELLED',
      ]);
    } finally {
      release();
    }
  });
});
