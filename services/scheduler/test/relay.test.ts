import { join } from 'node:path';
import { silentLogger } from '@fluxi/common';
import { Subjects } from '@fluxi/contracts';
import { openDatabase, type Database } from '@fluxi/db';
import { connectNats, type Nats } from '@fluxi/messaging';
import { startNatsServer, tempDir, waitFor, type RestartableServer } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../src/store/run-store.js';
import { jetStreamPublisher, RunEventRelay, type PublishRunEvent } from '../src/transport/nats/run-event-relay.js';
import { appendLocked, event } from './support/outbox-events.js';
import { oneTo, readRunEvents, seqs } from './support/run-events.js';
import { newRunRecord } from './support/run-records.js';

/** The outbox's relay, on PGlite with a real nats-server (its store: outbox.test.ts). */

describe('the relay', () => {
  let natsServer: RestartableServer;
  let nats: Nats;
  let store: RunStore;
  let db: Database;

  beforeAll(async () => {
    natsServer = await startNatsServer();
    nats = await connectNats(natsServer.url, 'relay-test', silentLogger());
    db = await openDatabase({ embeddedDir: join(tempDir('fluxi-relay-').path, 'db'), schema: 'scheduler' });
    store = new RunStore(db);
    await store.migrate();
  });

  afterAll(async () => {
    await nats?.close();
    await natsServer?.stop();
    await db?.close();
  });

  async function runWithEvents(count: number): Promise<{ runId: string; ids: string[] }> {
    const run = newRunRecord();
    const events = Array.from({ length: count }, (_, index) => event(run.id, `e${index + 1}`));
    await store.transaction(async (tx) => {
      await tx.insertRun(run);
      await tx.outbox.append(run.id, events, new Date(), 0);
    });
    return { runId: run.id, ids: events.map((e) => e.id) };
  }

  it("publishes each run's events in seq order with their id as message id, then marks them sent", async () => {
    const relay = new RunEventRelay(store.outbox, jetStreamPublisher(nats.js), silentLogger());
    const one = await runWithEvents(3);
    const two = await runWithEvents(2);
    expect(await relay.pass()).toBeGreaterThanOrEqual(5);
    for (const { runId, ids } of [one, two]) {
      const read = await readRunEvents(nats, runId);
      expect(seqs(read)).toEqual(oneTo(ids.length));
      expect(read.map((r) => r.event.id)).toEqual(ids);
      expect(read.map((r) => r.msgId)).toEqual(ids);
      expect(read.every((r) => r.event.pipelineRunId === runId)).toBe(true);
    }
    expect(await store.outbox.unsent()).toBe(0);
    expect(await relay.pass()).toBe(0);
  });

  it("publishes a commit's events right after it, without a pass, and records them sent", async () => {
    const relay = new RunEventRelay(store.outbox, jetStreamPublisher(nats.js), silentLogger(), { markDelayMs: 10 });
    const own = new RunStore(db);
    own.onEventsCommitted((events) => relay.committed(events));
    const run = newRunRecord();
    const first = [event(run.id, 'a'), event(run.id, 'b')];
    await own.transaction(async (tx) => {
      await tx.insertRun(run);
      await tx.outbox.append(run.id, first, new Date(), 0);
    });
    const second = [event(run.id, 'c')];
    await own.transaction((tx) => appendLocked(tx, run.id, second, new Date()));
    const read = await waitFor(
      async () => {
        const events = await readRunEvents(nats, run.id);
        return events.length === 3 ? events : undefined;
      },
      { what: 'the three events on the stream' },
    );
    expect(seqs(read)).toEqual([1, 2, 3]);
    expect(read.map((r) => r.msgId)).toEqual([...first, ...second].map((e) => e.id));
    await waitFor(async () => (await store.outbox.unsent()) === 0 || undefined, { what: 'the events marked sent' });
  });

  it('a pass does not publish again what the hot path published and has not recorded yet', async () => {
    let publishes = 0;
    const publish = jetStreamPublisher(nats.js);
    const counting: PublishRunEvent = async (subject, data, msgId) => {
      publishes++;
      await publish(subject, data, msgId);
    };
    // The hot path's record waits long enough for a pass to come first.
    const relay = new RunEventRelay(store.outbox, counting, silentLogger(), { markDelayMs: 60_000 });
    const own = new RunStore(db);
    own.onEventsCommitted((events) => relay.committed(events));
    const run = newRunRecord();
    await own.transaction(async (tx) => {
      await tx.insertRun(run);
      await tx.outbox.append(run.id, [event(run.id, 'x'), event(run.id, 'y')], new Date(), 0);
    });
    await waitFor(async () => (await readRunEvents(nats, run.id)).length === 2 || undefined, { what: 'both events' });
    expect(publishes).toBe(2);
    expect(await relay.pass()).toBe(0);
    expect(publishes).toBe(2);
    expect(await store.outbox.unsent()).toBe(0);
  });

  it("sends a run's events at hand together, without waiting for each acknowledgement before the next", async () => {
    let inFlight = 0;
    let most = 0;
    const publish = jetStreamPublisher(nats.js);
    const counting: PublishRunEvent = async (subject, data, msgId) => {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        await publish(subject, data, msgId);
      } finally {
        inFlight--;
      }
    };
    const relay = new RunEventRelay(store.outbox, counting, silentLogger());
    const { runId, ids } = await runWithEvents(4);
    expect(await relay.pass()).toBeGreaterThanOrEqual(4);
    expect(most).toBe(4);
    const read = await readRunEvents(nats, runId);
    expect(read.map((r) => r.event.id)).toEqual(ids);
    expect(seqs(read)).toEqual([1, 2, 3, 4]);
  });

  it('stops a run at the first event not acknowledged and goes on from it, in order, with the next pass', async () => {
    const publish = jetStreamPublisher(nats.js);
    const { runId, ids } = await runWithEvents(3);
    // As a connection lost after the first message: the second and the third are not stored.
    const lost = new Set(ids.slice(1));
    const failing: PublishRunEvent = async (subject, data, msgId) => {
      if (lost.has(msgId)) throw new Error('connection lost');
      await publish(subject, data, msgId);
    };
    const relay = new RunEventRelay(store.outbox, failing, silentLogger());
    await relay.pass();
    expect((await readRunEvents(nats, runId)).map((r) => r.event.id)).toEqual(ids.slice(0, 1));
    lost.clear();
    expect(await relay.pass()).toBeGreaterThanOrEqual(2);
    const read = await readRunEvents(nats, runId);
    expect(read.map((r) => r.event.id)).toEqual(ids);
    expect(seqs(read)).toEqual([1, 2, 3]);
    expect(await store.outbox.unsent()).toBe(0);
  });

  it('a pass leaves events younger than its grace to the hot path, and takes them once they are older', async () => {
    const relay = new RunEventRelay(store.outbox, jetStreamPublisher(nats.js), silentLogger(), { graceMs: 1500 });
    const { runId } = await runWithEvents(2);
    expect(await relay.pass()).toBe(0);
    expect(await readRunEvents(nats, runId)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await relay.pass()).toBeGreaterThanOrEqual(2);
    expect(seqs(await readRunEvents(nats, runId))).toEqual([1, 2]);
  });

  it('publishes again what a crash left unmarked, and JetStream keeps one copy (message id)', async () => {
    const relay = new RunEventRelay(store.outbox, jetStreamPublisher(nats.js), silentLogger());
    const { runId, ids } = await runWithEvents(3);
    await relay.pass();
    // As if the scheduler died after publishing and before marking them sent: its next life publishes them again.
    await db.query('UPDATE run_event_streams SET sent_seq = 0 WHERE pipeline_run_id = $1', [runId]);
    expect(await store.outbox.unsent()).toBe(3);
    const nextLife = new RunEventRelay(store.outbox, jetStreamPublisher(nats.js), silentLogger());
    expect(await nextLife.pass()).toBe(3);
    const read = await readRunEvents(nats, runId);
    expect(read.map((r) => r.event.id)).toEqual(ids);
    expect(seqs(read)).toEqual([1, 2, 3]);
  });

  it('leaves a run another relay has claimed alone until it lets go, then goes on from the next seq', async () => {
    const relay = new RunEventRelay(store.outbox, jetStreamPublisher(nats.js), silentLogger());
    const { runId } = await runWithEvents(2);
    const other = await store.outbox.claim('another-scheduler', 30, 1000, 1);
    expect(other.runs).toContain(runId);
    expect(other.events.filter((e) => e.pipelineRunId === runId).map((e) => e.seq)).toEqual([1]);
    expect(await relay.pass()).toBe(0);
    expect(await readRunEvents(nats, runId)).toEqual([]);
    // The other scheduler published seq 1 of each run it claimed, then lets go.
    const publish = jetStreamPublisher(nats.js);
    for (const claimed of other.events) {
      await publish(Subjects.runEvent(claimed.pipelineRunId), claimed.data, claimed.id);
    }
    await store.outbox.release('another-scheduler', new Map(other.events.map((e) => [e.pipelineRunId, e.seq])));
    expect(await relay.pass()).toBeGreaterThanOrEqual(1);
    expect(seqs(await readRunEvents(nats, runId))).toEqual([1, 2]);
  });
});
