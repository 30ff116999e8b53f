import { describe, expect, it } from 'vitest';
import { nextFireTimes, previousFireTimes, MAX_FIRE_TIMES } from './fire-times.js';
import { parseSchedule, type Schedule } from './schedule.js';

const NOW = new Date('2026-01-01T00:00:00Z');

function cron(expression: string, timezone = 'UTC'): Schedule {
  return parseSchedule({ cron: expression, timezone }, { now: NOW });
}

function next(expression: string, after: string, count: number, timezone = 'UTC'): string[] {
  return nextFireTimes(cron(expression, timezone), new Date(after), count).map((time) => time.toISOString());
}

/** The wall clock of `time` in `timezone`, with its offset: `2026-03-29 03:00:00 GMT+2`. */
function wall(time: Date, timezone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: timezone, dateStyle: 'short', timeStyle: 'long' }).format(time);
}

function nextWall(expression: string, after: string, count: number, timezone: string): string[] {
  return nextFireTimes(cron(expression, timezone), new Date(after), count).map((time) => wall(time, timezone));
}

// 2026 clock changes: Europe/Paris 29 March 01:00Z (02:00 CET → 03:00 CEST) and 25 October 01:00Z
// (03:00 CEST → 02:00 CET); America/New_York 8 March 07:00Z (02:00 EST → 03:00 EDT) and
// 1 November 06:00Z (02:00 EDT → 01:00 EST).
describe('DST in Europe/Paris', () => {
  it('fires a fixed time that does not exist (clocks go forward) at the first moment after the gap', () => {
    expect(next('30 2 * * *', '2026-03-27T12:00:00Z', 3, 'Europe/Paris')).toEqual([
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST: 02:30 does not exist that day
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
    expect(nextWall('0 2 * * *', '2026-03-28T12:00:00Z', 2, 'Europe/Paris')).toEqual([
      '2026-03-29 03:00:00 CEST',
      '2026-03-30 02:00:00 CEST',
    ]);
  });

  it('fires several fixed times of the gap once, at its end', () => {
    expect(next('15,45 2 * * *', '2026-03-28T12:00:00Z', 3, 'Europe/Paris')).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:15:00.000Z',
      '2026-03-30T00:45:00.000Z',
    ]);
  });

  it('fires a fixed time that occurs twice (clocks go back) once, at its first occurrence', () => {
    expect(nextWall('30 2 * * *', '2026-10-24T12:00:00Z', 3, 'Europe/Paris')).toEqual([
      '2026-10-25 02:30:00 CEST',
      '2026-10-26 02:30:00 CET',
      '2026-10-27 02:30:00 CET',
    ]);
    // A list of hours is still a fixed time (Vixie's rule): 02:30 once, 14:30 once.
    expect(next('30 2,14 * * *', '2026-10-24T20:00:00Z', 3, 'Europe/Paris')).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T13:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('keeps an interval job on real time: no fire in the gap, both passes of the repeated hour', () => {
    expect(nextWall('*/30 * * * *', '2026-03-29T00:00:00Z', 4, 'Europe/Paris')).toEqual([
      '2026-03-29 01:30:00 CET',
      '2026-03-29 03:00:00 CEST',
      '2026-03-29 03:30:00 CEST',
      '2026-03-29 04:00:00 CEST',
    ]);
    expect(next('*/30 * * * *', '2026-10-25T00:00:00Z', 5, 'Europe/Paris')).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T01:00:00.000Z', // 02:00 CET
      '2026-10-25T01:30:00.000Z', // 02:30 CET
      '2026-10-25T02:00:00.000Z', // 03:00 CET
      '2026-10-25T02:30:00.000Z',
    ]);
  });
});

describe('DST in America/New_York', () => {
  it('fires 02:30 at 03:00 EDT on the day clocks go forward', () => {
    expect(next('30 2 * * *', '2026-03-07T00:00:00Z', 3, 'America/New_York')).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
  });

  it('fires 01:30 once on the day clocks go back, at 01:30 EDT', () => {
    expect(next('30 1 * * *', '2026-10-31T12:00:00Z', 2, 'America/New_York')).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; 01:30 EST (06:30Z) does not fire
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('fires an hourly job every real hour through the repeated hour', () => {
    expect(next('0 * * * *', '2026-11-01T04:30:00Z', 4, 'America/New_York')).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
      '2026-11-01T08:00:00.000Z',
    ]);
    expect(next('0 * * * *', '2026-03-08T05:30:00Z', 3, 'America/New_York')).toEqual([
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT: 02:00 does not exist
      '2026-03-08T08:00:00.000Z',
    ]);
  });

  it('never returns an instant twice nor goes back, over a year of both zones', () => {
    for (const timezone of ['Europe/Paris', 'America/New_York']) {
      for (const expression of ['30 2 * * *', '*/15 * * * *', '0 1-3 * * *', '30 1,2 * * 0']) {
        const times = nextFireTimes(cron(expression, timezone), NOW, MAX_FIRE_TIMES).map((t) => t.getTime());
        for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
      }
    }
  });
});

describe('calendar', () => {
  it('fires `0 0 31 * *` only in months with 31 days', () => {
    expect(next('0 0 31 * *', '2026-01-01T00:00:00Z', 7).map((t) => t.slice(0, 10))).toEqual([
      '2026-01-31',
      '2026-03-31',
      '2026-05-31',
      '2026-07-31',
      '2026-08-31',
      '2026-10-31',
      '2026-12-31',
    ]);
  });

  it('fires `*/15` at :00, :15, :30 and :45', () => {
    expect(next('*/15 * * * *', '2026-01-01T10:50:00Z', 5)).toEqual([
      '2026-01-01T11:00:00.000Z',
      '2026-01-01T11:15:00.000Z',
      '2026-01-01T11:30:00.000Z',
      '2026-01-01T11:45:00.000Z',
      '2026-01-01T12:00:00.000Z',
    ]);
  });

  it('reads Sunday as 0, as 7 and as SUN', () => {
    const sundays = ['2026-01-04T00:00:00.000Z', '2026-01-11T00:00:00.000Z', '2026-01-18T00:00:00.000Z'];
    expect(next('0 0 * * 0', '2026-01-01T00:00:00Z', 3)).toEqual(sundays);
    expect(next('0 0 * * 7', '2026-01-01T00:00:00Z', 3)).toEqual(sundays);
    expect(next('0 0 * * sun', '2026-01-01T00:00:00Z', 3)).toEqual(sundays);
    expect(next('0 0 * * 5-7', '2026-01-01T00:00:00Z', 3).map((t) => t.slice(0, 10))).toEqual([
      '2026-01-02', // Friday
      '2026-01-03',
      '2026-01-04',
    ]);
  });

  it('ORs day of month and day of week when both are set (Vixie), ANDs them with +', () => {
    // The 13th of each month OR every Friday.
    expect(next('0 0 13 * 5', '2026-01-01T00:00:00Z', 4).map((t) => t.slice(0, 10))).toEqual([
      '2026-01-02',
      '2026-01-09',
      '2026-01-13',
      '2026-01-16',
    ]);
    // Friday the 13th only.
    expect(next('0 0 13 * +5', '2026-01-01T00:00:00Z', 4).map((t) => t.slice(0, 10))).toEqual([
      '2026-02-13',
      '2026-03-13',
      '2026-11-13',
      '2027-08-13',
    ]);
    // One side `*`: only the other side counts.
    expect(next('0 0 * * 1', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-05T00:00:00.000Z']);
    expect(next('0 0 13 * *', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-13T00:00:00.000Z']);
    // Unlike Vixie cron, a step (`*/2`) counts as set: odd days OR Mondays.
    expect(next('0 0 */2 * 1', '2026-01-01T00:00:00Z', 4).map((t) => t.slice(0, 10))).toEqual([
      '2026-01-03',
      '2026-01-05',
      '2026-01-07',
      '2026-01-09',
    ]);
  });

  it('reads L as the last day of the month, leap years included', () => {
    expect(next('0 0 L * *', '2026-01-01T00:00:00Z', 4).map((t) => t.slice(0, 10))).toEqual([
      '2026-01-31',
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
    ]);
    expect(next('0 0 L 2 *', '2027-03-01T00:00:00Z', 2).map((t) => t.slice(0, 10))).toEqual([
      '2028-02-29',
      '2029-02-28',
    ]);
  });

  it('reads W as the nearest weekday, within the month', () => {
    // 15 February 2026 is a Sunday → Monday 16; 15 August is a Saturday → Friday 14.
    expect(next('0 0 15W * *', '2026-02-01T00:00:00Z', 2).map((t) => t.slice(0, 10))).toEqual([
      '2026-02-16',
      '2026-03-16',
    ]);
    expect(next('0 0 15W * *', '2026-08-01T00:00:00Z', 1).map((t) => t.slice(0, 10))).toEqual(['2026-08-14']);
    // 1 August 2026 is a Saturday: 1W is Monday 3, not Friday 31 July.
    expect(next('0 0 1W * *', '2026-07-15T00:00:00Z', 1).map((t) => t.slice(0, 10))).toEqual(['2026-08-03']);
    // LW: the last weekday (31 January 2026 is a Saturday).
    expect(next('0 0 LW * *', '2026-01-01T00:00:00Z', 2).map((t) => t.slice(0, 10))).toEqual([
      '2026-01-30',
      '2026-02-27',
    ]);
  });

  it('reads # as the nth weekday of the month and 5#L / 5L as the last one', () => {
    expect(next('0 0 * * 5#3', '2026-01-01T00:00:00Z', 3).map((t) => t.slice(0, 10))).toEqual([
      '2026-01-16',
      '2026-02-20',
      '2026-03-20',
    ]);
    expect(next('0 0 * * MON#1', '2026-01-01T00:00:00Z', 2).map((t) => t.slice(0, 10))).toEqual([
      '2026-01-05',
      '2026-02-02',
    ]);
    const lastFridays = ['2026-01-30', '2026-02-27', '2026-03-27'];
    expect(next('0 0 * * 5#L', '2026-01-01T00:00:00Z', 3).map((t) => t.slice(0, 10))).toEqual(lastFridays);
    expect(next('0 0 * * 5L', '2026-01-01T00:00:00Z', 3).map((t) => t.slice(0, 10))).toEqual(lastFridays);
  });

  it('fires 29 February only in leap years (2100 is not one)', () => {
    expect(next('0 0 29 2 *', '2026-01-01T00:00:00Z', 2).map((t) => t.slice(0, 10))).toEqual([
      '2028-02-29',
      '2032-02-29',
    ]);
    expect(next('0 0 29 2 *', '2096-03-01T00:00:00Z', 1).map((t) => t.slice(0, 10))).toEqual(['2104-02-29']);
  });

  it('fires the macros', () => {
    expect(next('@hourly', '2026-01-01T00:10:00Z', 1)).toEqual(['2026-01-01T01:00:00.000Z']);
    expect(next('@daily', '2026-01-01T00:10:00Z', 1)).toEqual(['2026-01-02T00:00:00.000Z']);
    expect(next('@midnight', '2026-01-01T00:10:00Z', 1)).toEqual(['2026-01-02T00:00:00.000Z']);
    expect(next('@weekly', '2026-01-01T00:10:00Z', 1)).toEqual(['2026-01-04T00:00:00.000Z']);
    expect(next('@monthly', '2026-01-01T00:10:00Z', 1)).toEqual(['2026-02-01T00:00:00.000Z']);
    expect(next('@yearly', '2026-01-01T00:10:00Z', 1)).toEqual(['2027-01-01T00:00:00.000Z']);
    expect(next('@annually', '2026-01-01T00:10:00Z', 1)).toEqual(['2027-01-01T00:00:00.000Z']);
    expect(next('@daily', '2026-01-01T00:10:00Z', 1, 'Europe/Paris')).toEqual(['2026-01-01T23:00:00.000Z']);
  });

  it('reads a sixth field as seconds, first', () => {
    expect(next('*/10 * * * * *', '2026-01-01T00:00:05Z', 3)).toEqual([
      '2026-01-01T00:00:10.000Z',
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:30.000Z',
    ]);
    expect(next('30 0 12 * * *', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-01T12:00:30.000Z']);
    expect(next('* * * * * *', '2026-01-01T00:00:00.500Z', 2)).toEqual([
      '2026-01-01T00:00:01.000Z',
      '2026-01-01T00:00:02.000Z',
    ]);
  });
});

describe('nextFireTimes and previousFireTimes', () => {
  it('answers strictly after `after`, and at most MAX_FIRE_TIMES', () => {
    expect(next('0 * * * *', '2026-01-01T05:00:00Z', 1)).toEqual(['2026-01-01T06:00:00.000Z']);
    expect(next('* * * * * *', '2026-01-01T00:00:00Z', 5000)).toHaveLength(MAX_FIRE_TIMES);
    expect(next('* * * * *', '2026-01-01T00:00:00Z', 0)).toEqual([]);
    expect(next('* * * * *', '2026-01-01T00:00:00Z', -1)).toEqual([]);
  });

  it('answers at or before, latest first', () => {
    const hourly = cron('0 * * * *');
    const at = (iso: string): string[] => previousFireTimes(hourly, new Date(iso), 2).map((time) => time.toISOString());
    expect(at('2026-01-01T05:00:00Z')).toEqual(['2026-01-01T05:00:00.000Z', '2026-01-01T04:00:00.000Z']);
    expect(at('2026-01-01T05:00:00.999Z')).toEqual(['2026-01-01T05:00:00.000Z', '2026-01-01T04:00:00.000Z']);
    expect(at('2026-01-01T04:59:59.999Z')).toEqual(['2026-01-01T04:00:00.000Z', '2026-01-01T03:00:00.000Z']);
  });

  it('agrees backward and forward through both clock changes', () => {
    for (const [expression, timezone] of [
      ['30 2 * * *', 'Europe/Paris'],
      ['*/30 * * * *', 'Europe/Paris'],
      ['30 1 * * *', 'America/New_York'],
      ['0 * * * *', 'America/New_York'],
    ] as const) {
      const schedule = cron(expression, timezone);
      const forward = nextFireTimes(schedule, new Date('2026-03-01T00:00:00Z'), MAX_FIRE_TIMES);
      const last = forward[forward.length - 1] as Date;
      const backward = previousFireTimes(schedule, last, MAX_FIRE_TIMES).reverse();
      expect(backward.map((t) => t.toISOString())).toEqual(forward.map((t) => t.toISOString()));
    }
  });

  it('gives a one-shot its instant once', () => {
    const once = parseSchedule({ at: '2026-06-01T10:00:00Z' }, { now: NOW });
    expect(nextFireTimes(once, NOW, 3)).toEqual([new Date('2026-06-01T10:00:00Z')]);
    expect(nextFireTimes(once, new Date('2026-06-01T10:00:00Z'), 3)).toEqual([]);
    expect(previousFireTimes(once, new Date('2026-06-01T10:00:00Z'), 3)).toEqual([new Date('2026-06-01T10:00:00Z')]);
    expect(previousFireTimes(once, NOW, 3)).toEqual([]);
  });
});
