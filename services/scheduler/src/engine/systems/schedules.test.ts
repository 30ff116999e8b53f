import { describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import type { FireRecord, TargetOutcome } from '../../domain/fire-records.js';
import { ScheduleBook } from '../../domain/schedule-book.js';
import { scheduleSpec, type ScheduleSpecInput } from '../../domain/schedule-spec.js';
import {
  ScheduleFireSystem,
  type QueuedFire,
  type ScheduleHistoryPort,
  type ScheduleTriggerPort,
} from './schedules.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

/** The one trigger's contract in memory: a key names one run, whoever asks. */
class KeyedTrigger implements ScheduleTriggerPort {
  readonly runs = new Map<string, { runId: string; number: number; target: string }>();
  failing = false;

  async trigger(target: { id: string }, fire: { key: string }) {
    if (this.failing) throw new Error('catalog unavailable');
    const found = this.runs.get(fire.key);
    if (found !== undefined) return { runId: found.runId, number: found.number, created: false };
    const run = { runId: `R${this.runs.size + 1}`, number: this.runs.size + 1, target: target.id };
    this.runs.set(fire.key, run);
    return { runId: run.runId, number: run.number, created: true };
  }
}

/** The history's contract in memory (store/schedule-history.ts is the SQL one). */
class MemoryHistory implements ScheduleHistoryPort {
  readonly fires = new Map<string, FireRecord>();
  readonly open = new Set<string>();
  readonly queued: QueuedFire[] = [];
  failWrites = false;

  async handledThrough(ids: string[]) {
    const through = new Map<string, Date>();
    for (const record of this.fires.values()) {
      const current = through.get(record.scheduleId);
      if (ids.includes(record.scheduleId) && (current === undefined || record.planned > current))
        through.set(record.scheduleId, record.planned);
    }
    return through;
  }
  async record(records: FireRecord[]) {
    if (this.failWrites) throw new Error('database unavailable');
    for (const r of records) {
      const key = `${r.scheduleId} ${r.planned.toISOString()}`;
      if (!this.fires.has(key)) this.fires.set(key, r);
      // A run just started runs until the test ends it.
      for (const o of r.outcomes) if ('started' in o) this.open.add(`${r.scheduleId} ${o.target.id}`);
    }
  }
  async openRun(scheduleId: string, targetId: string) {
    return this.open.has(`${scheduleId} ${targetId}`);
  }
  async queuedCount(scheduleId: string, targetId: string) {
    return this.queued.filter((q) => q.scheduleId === scheduleId && q.target.id === targetId).length;
  }
  async queue(fire: QueuedFire) {
    this.queued.push(fire);
  }
  async queuedReady() {
    return this.queued.filter((q) => !this.open.has(`${q.scheduleId} ${q.target.id}`));
  }
  async dequeued(fire: QueuedFire, outcome: TargetOutcome) {
    this.queued.splice(this.queued.indexOf(fire), 1);
    const record = this.fires.get(`${fire.scheduleId} ${fire.planned.toISOString()}`);
    if (record !== undefined) record.outcomes = record.outcomes.map((o) => ('queued' in o ? outcome : o));
    if ('started' in outcome) {
      this.open.add(`${fire.scheduleId} ${fire.target.id}`);
      if (record !== undefined) record.status = 'FIRED';
    }
  }
  planned(status?: string): string[] {
    return [...this.fires.values()]
      .filter((r) => status === undefined || r.status === status)
      .map((r) => r.planned.toISOString().slice(11, 19))
      .sort();
  }
}

const spec = (fields: Partial<ScheduleSpecInput> = {}) =>
  scheduleSpec({
    id: 'S1',
    name: 'every-second',
    cron: '* * * * * *',
    atMs: 0,
    timezone: 'UTC',
    targets: [
      { kind: 'pipeline', id: 'P1' },
      { kind: 'job', id: 'J1' },
    ],
    overlap: 'ALLOW',
    missedFires: 'RUN_ONCE',
    activeSinceMs: T0,
    ...fields,
  });

function replica(trigger: KeyedTrigger, history: MemoryHistory, clock: { now: number }, fields = {}) {
  const book = new ScheduleBook();
  book.put(spec(fields));
  const system = new ScheduleFireSystem(book, trigger, history, silentLogger(), () => new Date(clock.now), {
    graceMs: 60_000,
    maxCatchUp: 100,
    concurrency: 8,
  });
  return { book, system };
}

describe('ScheduleFireSystem (fake clock, the one trigger and the history in memory)', () => {
  it('fires each planned time once, every target with its own occurrence key, late by the pass delay', async () => {
    const trigger = new KeyedTrigger();
    const history = new MemoryHistory();
    const clock = { now: T0 };
    const { system } = replica(trigger, history, clock);
    for (let s = 1; s <= 5; s += 1) {
      clock.now = T0 + s * 1000 + 3;
      await system.pass();
      await system.pass(); // a second pass in the same second finds nothing due
    }
    expect(history.planned('FIRED')).toEqual(['00:00:01', '00:00:02', '00:00:03', '00:00:04', '00:00:05']);
    expect([...trigger.runs.keys()].slice(0, 2)).toEqual([
      'schedule:S1:2026-01-01T00:00:01.000Z:P1',
      'schedule:S1:2026-01-01T00:00:01.000Z:J1',
    ]);
    expect(trigger.runs.size).toBe(10);
    const first = [...history.fires.values()][0];
    expect(first?.firedAt?.getTime()).toBe(T0 + 1003);
  });

  it('two leaders at once start each run once: the second gets the first run back', async () => {
    const trigger = new KeyedTrigger();
    const history = new MemoryHistory();
    const clock = { now: T0 };
    const a = replica(trigger, history, clock);
    const b = replica(trigger, history, clock);
    const outcomes: boolean[] = [];
    for (let s = 1; s <= 3; s += 1) {
      clock.now = T0 + s * 1000;
      await Promise.all([a.system.pass(), b.system.pass()]);
    }
    for (const record of history.fires.values()) {
      for (const o of record.outcomes) if ('started' in o) outcomes.push(o.started.created);
    }
    expect(trigger.runs.size).toBe(6);
    expect(history.planned()).toEqual(['00:00:01', '00:00:02', '00:00:03']);
    expect(outcomes).toHaveLength(6);
  });

  it('a new leader goes on from the history: a 3 s takeover fires the times it missed, late, once', async () => {
    const trigger = new KeyedTrigger();
    const history = new MemoryHistory();
    const clock = { now: T0 };
    const old = replica(trigger, history, clock);
    for (let s = 1; s <= 10; s += 1) {
      clock.now = T0 + s * 1000;
      await old.system.pass();
    }
    // The old leader dies after firing 00:00:10; the new one's first pass is 3.5 s later.
    const next = replica(trigger, history, clock);
    clock.now = T0 + 13_500;
    await next.system.pass();
    expect(history.planned('FIRED').slice(-4)).toEqual(['00:00:10', '00:00:11', '00:00:12', '00:00:13']);
    expect(history.planned('FIRED')).toHaveLength(13);
    expect(trigger.runs.size).toBe(26);
    expect(history.fires.get('S1 2026-01-01T00:00:11.000Z')?.firedAt?.getTime()).toBe(T0 + 13_500);
  });

  it('after a downtime: run-once fires the latest missed time and records the others as skipped', async () => {
    const trigger = new KeyedTrigger();
    const history = new MemoryHistory();
    const clock = { now: T0 + 5 * 60_000 + 500 };
    const { system } = replica(trigger, history, clock, { cron: '0 * * * * *' });
    await system.pass();
    expect(history.planned('FIRED')).toEqual(['00:05:00']);
    expect(history.planned('SKIPPED')).toEqual(['00:01:00', '00:02:00', '00:03:00', '00:04:00']);
    expect([...history.fires.values()].find((r) => r.status === 'SKIPPED')?.reason).toContain('run_once');
  });

  it('after a downtime: skip records every missed time, all fires them (bounded)', async () => {
    for (const [policy, fired, skipped] of [
      ['SKIP', ['00:06:00'], 5],
      ['ALL', ['00:01:00', '00:02:00', '00:03:00', '00:04:00', '00:05:00', '00:06:00'], 0],
    ] as const) {
      const history = new MemoryHistory();
      const clock = { now: T0 + 5 * 60_000 + 61_000 };
      const { system } = replica(new KeyedTrigger(), history, clock, { cron: '0 * * * * *', missedFires: policy });
      await system.pass();
      expect(history.planned('FIRED')).toEqual(fired);
      expect(history.planned('SKIPPED')).toHaveLength(skipped);
    }
  });

  it('overlap skip starts nothing while the previous run of that target runs; queue waits for its end', async () => {
    const trigger = new KeyedTrigger();
    const history = new MemoryHistory();
    const clock = { now: T0 + 1000 };
    const skip = replica(trigger, history, clock, { overlap: 'SKIP', targets: [{ kind: 'pipeline', id: 'P1' }] });
    history.open.add('S1 P1');
    await skip.system.pass();
    const record = [...history.fires.values()][0];
    expect(record?.status).toBe('SKIPPED');
    expect(record?.reason).toBe('the previous run is still running');

    const queued = new MemoryHistory();
    const q = replica(trigger, queued, clock, {
      id: 'S2',
      overlap: 'QUEUE',
      targets: [{ kind: 'pipeline', id: 'P1' }],
      activeSinceMs: T0 + 1000,
    });
    queued.open.add('S2 P1');
    clock.now = T0 + 2000;
    await q.system.pass();
    clock.now = T0 + 3000;
    await q.system.pass(); // a second fire while one waits: skipped
    expect(queued.planned('QUEUED')).toEqual(['00:00:02']);
    expect(queued.planned('SKIPPED')).toEqual(['00:00:03']);
    queued.open.delete('S2 P1');
    clock.now = T0 + 3500;
    await q.system.pass();
    expect(queued.queued).toEqual([]);
    const released = queued.fires.get('S2 2026-01-01T00:00:02.000Z');
    expect(released?.outcomes[0]).toMatchObject({ started: { created: true } });
    expect(trigger.runs.has('schedule:S2:2026-01-01T00:00:02.000Z:P1')).toBe(true);
    // The released run runs now: the next fire waits behind it; a fire never overtakes a queued one.
    queued.open.delete('S2 P1');
    await queued.queue({ scheduleId: 'S2', target: { kind: 'pipeline', id: 'P1' }, planned: new Date(T0 + 3000) });
    clock.now = T0 + 4000;
    await q.system.pass();
    expect(trigger.runs.has('schedule:S2:2026-01-01T00:00:03.000Z:P1')).toBe(true);
    expect(trigger.runs.has('schedule:S2:2026-01-01T00:00:04.000Z:P1')).toBe(false);
    expect(queued.planned('QUEUED')).toEqual(['00:00:04']);
  });

  it('records a failed trigger, and fires again what it could not record (same runs back)', async () => {
    const trigger = new KeyedTrigger();
    const history = new MemoryHistory();
    const clock = { now: T0 + 1000 };
    const { system } = replica(trigger, history, clock);
    trigger.failing = true;
    await system.pass();
    expect([...history.fires.values()][0]).toMatchObject({ status: 'FAILED' });
    expect([...history.fires.values()][0]?.reason).toContain('catalog unavailable');
    trigger.failing = false;
    clock.now = T0 + 2000;
    history.failWrites = true;
    await expect(system.pass()).rejects.toThrow('database unavailable');
    history.failWrites = false;
    await system.pass();
    expect(history.planned('FIRED')).toEqual(['00:00:02']);
    expect(trigger.runs.size).toBe(2);
  });

  it('a one-shot fires once', async () => {
    const trigger = new KeyedTrigger();
    const history = new MemoryHistory();
    const clock = { now: T0 + 30_000 };
    const { system } = replica(trigger, history, clock, { cron: '', atMs: T0 + 30_000 });
    await system.pass();
    clock.now = T0 + 90_000;
    await system.pass();
    expect(history.planned()).toEqual(['00:00:30']);
  });
});
