import { silentLogger, type RunningService } from '@fluxi/common';
import { openDatabase, type Database } from '@fluxi/db';
import { connectNats } from '@fluxi/messaging';
import {
  createTestDatabase,
  startNatsServer,
  startRedisServer,
  tempDir,
  waitFor,
  type RestartableServer,
  type TestDatabase,
} from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../src/store/run-store.js';
import { FakeCatalog } from './support/fake-catalog.js';
import { FakeExecutor, type Outcome } from './support/fake-executor.js';
import { getRun, graphqlData, startScheduler, statusesByName, triggerPipeline, type Infra } from './support/infra.js';
import { oneTo, readRunEvents, seqs, story, waitForRunEndEvent } from './support/run-events.js';

/**
 * NATS goes away while a run changes: the changes are stored with their events (outbox),
 * the relay keeps them until NATS is back, then publishes them in order, with no gap.
 * The scheduler runs on PostgreSQL so that the test can look at the outbox meanwhile.
 */
let infra: Infra;
let natsServer: RestartableServer;
let testDb: TestDatabase;
let db: Database;
let store: RunStore;
let catalog: FakeCatalog;
let executor: FakeExecutor;
let scheduler: RunningService;
let release: () => void = () => undefined;

beforeAll(async () => {
  // A server of the test's own (a store folder), so that it can be stopped and started again.
  let redisServer: RestartableServer;
  [natsServer, redisServer] = await Promise.all([
    startNatsServer({ storeDir: tempDir('fluxi-outage-nats-').path }),
    startRedisServer(),
  ]);
  const nats = await connectNats(natsServer.url, 'outage-test', silentLogger());
  infra = {
    natsServer,
    redisServer,
    nats,
    async stop() {
      await nats.close();
      await Promise.all([natsServer.stop(), redisServer.stop()]);
    },
  };
  testDb = await createTestDatabase('fluxi_outage');
  catalog = await new FakeCatalog(infra.nats.nc).start();
  executor = new FakeExecutor(infra.nats, infra.redisServer.url).start();
  scheduler = await startScheduler(infra, {
    databaseUrl: testDb.url,
    flags: { 'scheduler.eventRelayIntervalMs': 200 },
  });
  db = await openDatabase({ url: testDb.url, embeddedDir: '/nonexistent', schema: 'scheduler' });
  store = new RunStore(db);
});

afterAll(async () => {
  release();
  await scheduler?.stop();
  await executor?.stop();
  catalog?.stop();
  await db?.close();
  await infra?.stop();
  await testDb?.drop();
});

describe('run events across a NATS outage', () => {
  it('wait in the outbox while NATS is down and arrive in order, without a gap, once it is back', async () => {
    const pipelineId = catalog.addPipeline([[{ name: 'hang' }], [{ name: 'after' }]]);
    const gate = new Promise<void>((resolve) => (release = resolve));
    executor.behaviour = async (): Promise<Outcome> => {
      await gate;
      return 'SUCCESS';
    };
    const run = await triggerPipeline(scheduler, pipelineId);
    await waitFor(async () => statusesByName(await getRun(scheduler, run.id))['hang'] === 'RUNNING' || undefined, {
      what: 'hang to run',
    });
    const before = await waitFor(
      async () => {
        const read = await readRunEvents(infra.nats, run.id);
        return story(read).includes('run: STARTED RUNNING') ? read : undefined;
      },
      { what: 'the events so far on the stream' },
    );
    await waitFor(async () => (await store.outbox.unsent()) === 0 || undefined, { what: 'the outbox to be empty' });

    await natsServer.stop();
    // The cancel is stored (and its events with it) although NATS is away.
    await graphqlData(scheduler, 'mutation ($id: ID!) { cancelPipelineRun(id: $id) { id } }', { id: run.id });
    expect((await getRun(scheduler, run.id)).status).toBe('CANCELLED');
    expect(await store.outbox.unsent()).toBeGreaterThan(0);

    await natsServer.restart();
    const events = await waitForRunEndEvent(infra.nats, run.id);
    expect(seqs(events)).toEqual(oneTo(events.length));
    expect(events.slice(0, before.length).map(({ event }) => event.id)).toEqual(before.map(({ event }) => event.id));
    expect(events.every(({ event, msgId }) => msgId === event.id)).toBe(true);
    expect(story(events).at(-1)).toBe('run: CANCELLED CANCELLED');
    await waitFor(async () => (await store.outbox.unsent()) === 0 || undefined, { what: 'the outbox to be empty' });
  });
});
