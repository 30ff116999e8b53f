import { join } from 'node:path';
import { openDatabase, type Database } from '@fluxi/db';
import { createTestDatabase, tempDir, type TestDatabase } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../src/store/run-store.js';
import { notingDatabase } from './support/noting-db.js';
import { oneTo } from './support/run-events.js';
import { appendLocked, event } from './support/outbox-events.js';
import { newJobRunRecord, newRunRecord } from './support/run-records.js';

/** The outbox's store, on PGlite and PostgreSQL (its relay: relay.test.ts). */

async function stored(db: Database, runId: string): Promise<{ seq: number; id: string }[]> {
  const rows = await db.query<{ seq: string | number; id: string }>(
    'SELECT seq, id FROM run_events WHERE pipeline_run_id = $1 ORDER BY seq',
    [runId],
  );
  return rows.map((row) => ({ seq: Number(row.seq), id: row.id }));
}

let testDb: TestDatabase;
const engines: { name: string; db?: Database; store?: RunStore }[] = [{ name: 'PGlite' }, { name: 'PostgreSQL' }];

beforeAll(async () => {
  testDb = await createTestDatabase('fluxi_outbox');
  for (const engine of engines) {
    engine.db = await openDatabase({
      url: engine.name === 'PostgreSQL' ? testDb.url : undefined,
      embeddedDir: join(tempDir('fluxi-outbox-').path, 'db'),
      schema: 'scheduler',
    });
    engine.store = new RunStore(engine.db);
    await engine.store.migrate();
  }
});

afterAll(async () => {
  for (const engine of engines) await engine.db?.close();
  await testDb?.drop();
});

describe.each(engines)('the outbox on $name', (engine) => {
  it('stores events only with the transaction that made them, numbered 1, 2, 3… without gaps', async () => {
    const store = engine.store as RunStore;
    const db = engine.db as Database;
    const run = newRunRecord();
    await store.transaction((tx) => tx.insertRun(run));
    const at = new Date();

    await expect(
      store.transaction(async (tx) => {
        await appendLocked(tx, run.id, [event(run.id, 'lost'), event(run.id, 'lost too')], at);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await stored(db, run.id)).toEqual([]);
    expect(await store.outbox.unsent()).toBe(0);

    const first = [event(run.id, 'a'), event(run.id, 'b')];
    const second = [event(run.id, 'c')];
    let woken = 0;
    store.onEventsCommitted(() => (woken += 1));
    await store.transaction((tx) => appendLocked(tx, run.id, first, at));
    await store.transaction((tx) => appendLocked(tx, run.id, second, at));
    expect(await stored(db, run.id)).toEqual([...first, ...second].map((e, index) => ({ seq: index + 1, id: e.id })));
    expect(woken).toBe(2);
    // A transaction without events wakes nobody.
    await store.transaction((tx) => tx.lockRun(run.id));
    expect(woken).toBe(2);
  });

  it('marks the hand-over of a job run the transaction queued with its update, not with a statement of its own', async () => {
    const db = engine.db as Database;
    const statements: string[] = [];
    const store = new RunStore(notingDatabase(db, statements));
    const run = newRunRecord();
    const open = { exitCode: null, startedAt: null, endedAt: null };
    const queuedNow = newJobRunRecord(run.id, { ...open, status: 'PENDING' });
    const queuedBefore = newJobRunRecord(run.id, { ...open, status: 'QUEUED', position: 1, name: 'b', entry: 'b' });
    await store.transaction(async (tx) => {
      await tx.insertRun(run);
      await tx.insertJobRuns([queuedNow, queuedBefore]);
    });
    statements.length = 0;
    const marked = await store.transaction(async (tx) => {
      await tx.updateJobRun({
        ...open,
        id: queuedNow.id,
        status: 'QUEUED',
        attempt: 1,
        notBefore: null,
        failureClass: null,
        reason: null,
      });
      const now = await tx.dispatch.markDispatched([{ id: queuedNow.id, attempt: 1 }]);
      // Marked by its update, written with the commit: no statement of its own.
      expect(statements.filter((text) => text.includes('SET dispatched_attempt = j.attempt'))).toEqual([]);
      // One queued before this transaction has no update waiting: a statement marks it.
      const before = await tx.dispatch.markDispatched([{ id: queuedBefore.id, attempt: 1 }]);
      expect(statements.filter((text) => text.includes('SET dispatched_attempt = j.attempt'))).toHaveLength(1);
      return [...now, ...before];
    });
    expect(marked).toEqual([queuedNow.id, queuedBefore.id]);
    const rows = await db.query<{ dispatched_attempt: number | null }>(
      'SELECT dispatched_attempt FROM job_runs WHERE pipeline_run_id = $1 ORDER BY position',
      [run.id],
    );
    expect(rows.map((row) => row.dispatched_attempt)).toEqual([1, 1]);
    // Marked already: not again.
    expect(await store.transaction((tx) => tx.dispatch.markDispatched([{ id: queuedNow.id, attempt: 1 }]))).toEqual([]);
  });

  it("writes pending events and stage records with the transaction's next job-run update, or before the commit", async () => {
    const db = engine.db as Database;
    const statements: string[] = [];
    const noting = notingDatabase(db, statements);
    const store = new RunStore(noting);
    const run = newRunRecord();
    await store.transaction((tx) => tx.insertRun(run));
    const first = [event(run.id, 'a'), event(run.id, 'b')];
    statements.length = 0;
    await store.transaction(async (tx) => {
      await appendLocked(tx, run.id, first, new Date());
      await tx.saveStageRuns(run.id, [
        { index: 0, name: 'build', status: 'RUNNING', startedAt: new Date(), endedAt: null },
      ]);
      // The same stage again: written once, as it ended up.
      await tx.saveStageRuns(run.id, [
        { index: 0, name: 'build', status: 'SUCCESS', startedAt: new Date(), endedAt: new Date() },
      ]);
      await tx.updateJobRun({
        id: 'JR-none',
        status: 'RUNNING',
        attempt: 1,
        notBefore: null,
        exitCode: null,
        failureClass: null,
        reason: null,
        startedAt: new Date(),
        endedAt: null,
      });
    });
    // One statement: the events and the stage record as CTEs of the job-run update, then the commit.
    expect(statements.filter((sql) => !/^(BEGIN|COMMIT|SELECT)/.test(sql))).toEqual([
      expect.stringMatching(
        /^WITH written_0 AS \(INSERT INTO run_events .*\), written_1 AS \(INSERT INTO stage_runs .*\) UPDATE job_runs/s,
      ),
    ]);
    const stages = await db.query<{ status: string }>('SELECT status FROM stage_runs WHERE pipeline_run_id = $1', [
      run.id,
    ]);
    expect(stages).toEqual([{ status: 'SUCCESS' }]);
    // Without an update, the commit writes them.
    const second = [event(run.id, 'c')];
    await store.transaction((tx) => appendLocked(tx, run.id, second, new Date()));
    expect(await stored(db, run.id)).toEqual([...first, ...second].map((e, index) => ({ seq: index + 1, id: e.id })));
    const streams = await db.query<{ last_seq: string | number }>(
      'SELECT last_seq FROM run_event_streams WHERE pipeline_run_id = $1',
      [run.id],
    );
    expect(Number(streams[0]?.last_seq)).toBe(3);
  });

  it('numbers the events of concurrent transactions on one run without gaps or repeats', async () => {
    const store = engine.store as RunStore;
    const run = newRunRecord();
    await store.transaction((tx) => tx.insertRun(run));
    const batches = Array.from({ length: 8 }, () => [event(run.id, 'x'), event(run.id, 'y')]);
    await Promise.all(batches.map((batch) => store.transaction((tx) => appendLocked(tx, run.id, batch, new Date()))));
    const rows = await stored(engine.db as Database, run.id);
    expect(rows.map((row) => row.seq)).toEqual(oneTo(16));
    // Each transaction's events are consecutive.
    for (const batch of batches) {
      const [a, b] = batch.map((e) => rows.find((row) => row.id === e.id)?.seq ?? 0);
      expect((b ?? 0) - (a ?? 0)).toBe(1);
    }
  });

  it('does not claim the runs it is told to skip (those its hot path is publishing)', async () => {
    const store = engine.store as RunStore;
    const runs = [newRunRecord(), newRunRecord()];
    for (const run of runs) {
      await store.transaction(async (tx) => {
        await tx.insertRun(run);
        await tx.outbox.append(run.id, [event(run.id, 'x')], new Date(), 0);
      });
    }
    const [held, free] = runs.map((run) => run.id) as [string, string];
    const claim = await store.outbox.claim('skipping', 30, 1000, 10, 0, [held]);
    expect(claim.runs).toContain(free);
    expect(claim.runs).not.toContain(held);
    await store.outbox.release('skipping', new Map(claim.runs.map((runId) => [runId, 0])));
  });
});
