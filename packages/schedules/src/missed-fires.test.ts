import { describe, expect, it } from 'vitest';
import { planDueFires, type DueInput } from './missed-fires.js';
import { parseSchedule } from './schedule.js';

const START = new Date('2026-01-01T00:00:00Z');
const hourly = parseSchedule({ cron: '0 * * * *' }, { now: START });
const everySecond = parseSchedule({ cron: '* * * * * *' }, { now: START });

const iso = (dates: Date[]): string[] => dates.map((date) => date.toISOString());

function plan(input: Partial<DueInput> & Pick<DueInput, 'now' | 'policy'>) {
  return planDueFires({ schedule: hourly, after: START, ...input });
}

describe('planDueFires: on time', () => {
  it('fires the planned time that just came, whatever the policy', () => {
    for (const policy of ['skip', 'run-once', 'all'] as const) {
      const result = plan({ now: new Date('2026-01-01T01:00:00.300Z'), policy });
      expect(iso(result.fire)).toEqual(['2026-01-01T01:00:00.000Z']);
      expect(result.skipped).toEqual([]);
      expect(result.skippedUnlisted).toBeNull();
      expect(result.handledThrough).toEqual(new Date('2026-01-01T01:00:00Z'));
      expect(result.next).toEqual(new Date('2026-01-01T02:00:00Z'));
    }
  });

  it('has nothing to do before the next planned time, or when `after` is that time', () => {
    expect(plan({ now: new Date('2026-01-01T00:59:59Z'), policy: 'all' })).toEqual({
      fire: [],
      skipped: [],
      skippedUnlisted: null,
      handledThrough: null,
      next: new Date('2026-01-01T01:00:00Z'),
    });
    const again = plan({
      after: new Date('2026-01-01T01:00:00Z'),
      now: new Date('2026-01-01T01:00:05Z'),
      policy: 'all',
    });
    expect(again.fire).toEqual([]);
    expect(again.handledThrough).toBeNull();
  });

  it('fires every planned time within the grace, even under skip (a short leader change)', () => {
    const result = planDueFires({
      schedule: everySecond,
      after: new Date('2026-01-01T00:00:10Z'),
      now: new Date('2026-01-01T00:00:14.500Z'),
      policy: 'skip',
    });
    expect(iso(result.fire)).toEqual([
      '2026-01-01T00:00:11.000Z',
      '2026-01-01T00:00:12.000Z',
      '2026-01-01T00:00:13.000Z',
      '2026-01-01T00:00:14.000Z',
    ]);
    expect(result.handledThrough).toEqual(new Date('2026-01-01T00:00:14Z'));
  });
});

describe('planDueFires: after downtime (now 05:30, last handled 00:00)', () => {
  const now = new Date('2026-01-01T05:30:00Z');
  const missed = ['01', '02', '03', '04', '05'].map((hour) => `2026-01-01T${hour}:00:00.000Z`);

  it('skip records every missed time as skipped', () => {
    const result = plan({ now, policy: 'skip' });
    expect(result.fire).toEqual([]);
    expect(result.skipped.map((s) => [s.planned.toISOString(), s.reason])).toEqual(missed.map((m) => [m, 'missed']));
    expect(result.handledThrough).toEqual(new Date('2026-01-01T05:00:00Z'));
    expect(result.next).toEqual(new Date('2026-01-01T06:00:00Z'));
  });

  it('run-once fires the latest and skips the others', () => {
    const result = plan({ now, policy: 'run-once' });
    expect(iso(result.fire)).toEqual(['2026-01-01T05:00:00.000Z']);
    expect(result.skipped.map((s) => [s.planned.toISOString(), s.reason])).toEqual(
      missed.slice(0, 4).map((m) => [m, 'run-once']),
    );
  });

  it('run-once fires nothing missed when an on-time fire runs anyway', () => {
    const result = plan({ now: new Date('2026-01-01T06:00:01Z'), policy: 'run-once' });
    expect(iso(result.fire)).toEqual(['2026-01-01T06:00:00.000Z']);
    expect(result.skipped).toHaveLength(5);
  });

  it('all fires every missed time, earliest first', () => {
    const result = plan({ now, policy: 'all' });
    expect(iso(result.fire)).toEqual(missed);
    expect(result.skipped).toEqual([]);
  });

  it('all fires at most maxCatchUp, the latest, and skips the older ones', () => {
    const result = plan({ now, policy: 'all', maxCatchUp: 2 });
    expect(iso(result.fire)).toEqual(missed.slice(3));
    expect(result.skipped.map((s) => [s.planned.toISOString(), s.reason])).toEqual(
      missed.slice(0, 3).map((m) => [m, 'catch-up-limit']),
    );
  });

  it('a grace of an hour and a half makes 04:00 and 05:00 on time', () => {
    const result = plan({ now, policy: 'skip', graceMs: 90 * 60_000 });
    expect(iso(result.fire)).toEqual(missed.slice(3));
    expect(result.skipped).toHaveLength(3);
  });

  it('lists at most maxListed skipped times and counts the older ones as a range', () => {
    const result = plan({ now, policy: 'skip', maxListed: 2 });
    expect(iso(result.skipped.map((s) => s.planned))).toEqual(missed.slice(3));
    expect(result.skippedUnlisted).toEqual({
      after: START,
      through: new Date('2026-01-01T03:00:00Z'),
      reason: 'missed',
      count: 3,
      atLeast: false,
    });
  });
});

describe('planDueFires: long downtime stays bounded', () => {
  it('a week of a per-second schedule computes a few hundred times, not 600,000', () => {
    const now = new Date('2026-01-08T00:00:00.200Z');
    const started = performance.now();
    const result = planDueFires({ schedule: everySecond, after: START, now, policy: 'all' });
    expect(performance.now() - started).toBeLessThan(2000);
    // 60 on time (23:59:01 to 00:00:00), then the 100 latest missed ones.
    expect(result.fire).toHaveLength(160);
    expect(result.fire[0]).toEqual(new Date('2026-01-07T23:57:21Z'));
    expect(result.fire.at(-1)).toEqual(new Date('2026-01-08T00:00:00Z'));
    expect(result.skipped).toHaveLength(100);
    expect(result.skipped[0]).toEqual({ planned: new Date('2026-01-07T23:55:41Z'), reason: 'catch-up-limit' });
    expect(result.skippedUnlisted).toMatchObject({
      after: START,
      through: new Date('2026-01-07T23:55:40Z'),
      reason: 'catch-up-limit',
      count: 1,
      atLeast: true,
    });
  });
});

describe('planDueFires: one-shot', () => {
  const once = parseSchedule({ at: '2026-01-01T03:00:00Z' }, { now: START });

  it('fires on time, or late under run-once and all, and is skipped under skip', () => {
    const onTime = planDueFires({
      schedule: once,
      after: START,
      now: new Date('2026-01-01T03:00:01Z'),
      policy: 'skip',
    });
    expect(iso(onTime.fire)).toEqual(['2026-01-01T03:00:00.000Z']);
    expect(onTime.next).toBeNull();
    const late = new Date('2026-01-01T05:00:00Z');
    expect(iso(planDueFires({ schedule: once, after: START, now: late, policy: 'run-once' }).fire)).toEqual([
      '2026-01-01T03:00:00.000Z',
    ]);
    expect(iso(planDueFires({ schedule: once, after: START, now: late, policy: 'all' }).fire)).toEqual([
      '2026-01-01T03:00:00.000Z',
    ]);
    const skipped = planDueFires({ schedule: once, after: START, now: late, policy: 'skip' });
    expect(skipped.fire).toEqual([]);
    expect(skipped.skipped).toEqual([{ planned: new Date('2026-01-01T03:00:00Z'), reason: 'missed' }]);
    expect(skipped.handledThrough).toEqual(new Date('2026-01-01T03:00:00Z'));
  });

  it('does nothing once handled', () => {
    const result = planDueFires({
      schedule: once,
      after: new Date('2026-01-01T03:00:00Z'),
      now: new Date('2026-01-01T05:00:00Z'),
      policy: 'all',
    });
    expect(result).toMatchObject({ fire: [], skipped: [], handledThrough: null, next: null });
  });
});

describe('planDueFires: across a clock change', () => {
  it('catches up the 03:00 CEST fire of `30 2 * * *` once', () => {
    const paris = parseSchedule({ cron: '30 2 * * *', timezone: 'Europe/Paris' }, { now: START });
    const result = planDueFires({
      schedule: paris,
      after: new Date('2026-03-28T01:30:00Z'),
      now: new Date('2026-03-29T08:00:00Z'),
      policy: 'all',
    });
    expect(iso(result.fire)).toEqual(['2026-03-29T01:00:00.000Z']);
  });
});

describe('planDueFires: the forward scan and the backward count agree', () => {
  it('gives the same plan around the length where it switches from one to the other', () => {
    const after = new Date('2026-01-01T00:00:00Z');
    for (const seconds of [1, 2, 59, 60, 61, 63, 64, 65, 66, 120, 200, 250]) {
      const now = new Date(after.getTime() + seconds * 1000 + 500);
      for (const policy of ['skip', 'run-once', 'all'] as const) {
        const result = planDueFires({ schedule: everySecond, after, now, policy, maxCatchUp: 30, maxListed: 50 });
        const onTime = Math.min(seconds, 60);
        const missed = seconds - onTime;
        const caught = policy === 'all' ? Math.min(missed, 30) : policy === 'run-once' && onTime === 0 ? 1 : 0;
        expect(result.fire.length, `${seconds} s, ${policy}`).toBe(onTime + caught);
        const skipped = missed - caught;
        const counted = result.skipped.length + (result.skippedUnlisted?.count ?? 0);
        // A long downtime is counted only as far as needed: `atLeast` says more were skipped.
        if (result.skippedUnlisted?.atLeast === true) expect(counted).toBeLessThan(skipped);
        else expect(counted, `${seconds} s, ${policy}`).toBe(skipped);
        expect(result.handledThrough).toEqual(new Date(after.getTime() + seconds * 1000));
        expect(result.next).toEqual(new Date(after.getTime() + (seconds + 1) * 1000));
        expect(new Set(iso(result.fire)).size).toBe(result.fire.length);
      }
    }
  });
});
