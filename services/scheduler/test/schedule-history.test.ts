import { join } from 'node:path';
import { openDatabase, type Database } from '@fluxi/db';
import { createTestDatabase, tempDir, type TestDatabase } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireRecord } from '../src/domain/fire-records.js';
import { RunStore } from '../src/store/run-store.js';
import { RELEASED, ScheduleHistoryStore } from '../src/store/schedule-history.js';

/** The schedule history store on PGlite and PostgreSQL (the SQL of overlap, queue and history pages). */

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const P1 = { kind: 'pipeline' as const, id: 'P1' };

let testDb: TestDatabase;
const engines: { name: string; db?: Database }[] = [{ name: 'PGlite' }, { name: 'PostgreSQL' }];

beforeAll(async () => {
  testDb = await createTestDatabase('fluxi_schedule_history');
  for (const engine of engines) {
    engine.db = await openDatabase({
      url: engine.name === 'PostgreSQL' ? testDb.url : undefined,
      embeddedDir: join(tempDir('fluxi-schedule-history-').path, 'db'),
      schema: 'scheduler',
    });
    await new RunStore(engine.db).migrate();
  }
});

afterAll(async () => {
  for (const engine of engines) await engine.db?.close();
  await testDb?.drop();
});

/** A pipeline run row, open or ended (only what the overlap check reads). */
async function run(db: Database, id: string, ended: boolean): Promise<void> {
  await db.query(
    `INSERT INTO pipeline_runs (id, pipeline_id, number, status, trigger, snapshot, created_at, ended_at)
     VALUES ($1, 'P1', (SELECT count(*) + 1 FROM pipeline_runs), 'RUNNING', 'schedule', '{}'::jsonb, now(), $2)`,
    [id, ended ? new Date().toISOString() : null],
  );
}

describe.each(engines)('schedule history on $name', (engine) => {
  it('records fires once per planned time, pages them newest first, and knows where to go on from', async () => {
    const db = engine.db as Database;
    const history = new ScheduleHistoryStore(db);
    await run(db, `R1-${engine.name}`, true);
    const started = { target: P1, started: { runId: `R1-${engine.name}`, number: 1, created: true } };
    await history.record([1, 2, 3].map((s) => fireRecord('S-page', at(s), at(s + 0.01), [started])));
    // A second leader's record of the same planned time changes nothing.
    await history.record([fireRecord('S-page', at(3), at(4), [{ target: P1, error: 'late' }])]);
    expect((await history.handledThrough(['S-page', 'S-none'])).get('S-page')).toEqual(at(3));
    const page = await history.page('S-page', 2, null);
    expect(page.map((r) => [r.plannedAt, r.status])).toEqual([
      [at(3), 'FIRED'],
      [at(2), 'FIRED'],
    ]);
    expect(page[0]?.runs).toEqual([{ pipelineId: 'P1', pipelineRunId: `R1-${engine.name}`, number: 1, created: true }]);
    expect((await history.page('S-page', 2, at(2))).map((r) => r.plannedAt)).toEqual([at(1)]);
  });

  it('sees an open run of a target, queues one fire per target, and releases it when the run ended', async () => {
    const db = engine.db as Database;
    const history = new ScheduleHistoryStore(db);
    const open = `R-open-${engine.name}`;
    await run(db, open, false);
    await history.record([
      fireRecord('S-q', at(1), at(1), [{ target: P1, started: { runId: open, number: 1, created: true } }]),
    ]);
    expect(await history.openRun('S-q', 'P1')).toBe(true);
    expect(await history.openRun('S-q', 'J1')).toBe(false);
    const fire = { scheduleId: 'S-q', target: P1, planned: at(2) };
    await history.queue(fire, at(2));
    await history.queue({ ...fire, planned: at(3) }, at(3)); // one per target: kept out
    await history.record([fireRecord('S-q', at(2), at(2), [{ target: P1, queued: true }])]);
    expect(await history.queuedCount('S-q', 'P1')).toBe(1);
    expect(await history.queuedReady()).toEqual([]);
    await db.query('UPDATE pipeline_runs SET ended_at = now() WHERE id = $1', [open]);
    expect(await history.queuedReady()).toEqual([fire]);
    const next = `R-next-${engine.name}`;
    await run(db, next, false);
    await history.dequeued(fire, { target: P1, started: { runId: next, number: 2, created: true } }, at(5));
    const [released] = await history.page('S-q', 1, null);
    expect(released).toMatchObject({
      plannedAt: at(2),
      status: 'FIRED',
      reason: RELEASED,
      firedAt: at(5),
      runs: [{ pipelineId: 'P1', pipelineRunId: next, number: 2, created: true }],
    });
    expect(await history.queuedCount('S-q', 'P1')).toBe(0);
    expect(await history.openRun('S-q', 'P1')).toBe(true);
  });

  it('prunes history recorded before a time', async () => {
    const history = new ScheduleHistoryStore(engine.db as Database, () => at(-86_400 * 100));
    await history.record([fireRecord('S-old', at(1), at(1), [{ target: P1, skipped: 'x' }])]);
    expect(await history.prune(at(-86_400 * 50))).toBe(1);
    expect(await history.page('S-old', 10, null)).toEqual([]);
  });
});
