import { FluxiError } from '@fluxi/common';
import { describe, expect, it } from 'vitest';
import { parseSchedule, type ScheduleInput } from './schedule.js';

const NOW = new Date('2026-05-10T12:00:00Z');

function fault(input: ScheduleInput, path?: string): { field: string | undefined; message: string } {
  try {
    parseSchedule(input, { now: NOW, ...(path === undefined ? {} : { path }) });
  } catch (error) {
    expect(error).toBeInstanceOf(FluxiError);
    const fluxi = error as FluxiError;
    expect(fluxi.code).toBe('BAD_USER_INPUT');
    return { field: fluxi.field, message: fluxi.message };
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('parseSchedule: cron', () => {
  it('accepts five fields, six with seconds, macros; tidies spaces and macro case', () => {
    expect(parseSchedule({ cron: '  0  3 * * 1-5 ' }, { now: NOW })).toEqual({
      kind: 'cron',
      cron: '0 3 * * 1-5',
      timezone: 'UTC',
      hasSeconds: false,
    });
    expect(parseSchedule({ cron: '*/10 * * * * *', timezone: 'Europe/Paris' }, { now: NOW })).toMatchObject({
      cron: '*/10 * * * * *',
      timezone: 'Europe/Paris',
      hasSeconds: true,
    });
    expect(parseSchedule({ cron: '@DAILY' }, { now: NOW })).toMatchObject({ cron: '@daily' });
    for (const accepted of [
      '0 0 15W * *',
      '0 0 L * *',
      '0 0 LW * *',
      '0 0 * * 5#3',
      '0 0 * * 5#L',
      '0 0 * * 5L',
      '0 0 31 * *',
      '0 0 * * 7',
      '0 0 13 * +FRI',
      '0 12 ? * MON-FRI',
      '0 0 1 JAN,JUL *',
    ]) {
      expect(parseSchedule({ cron: accepted }, { now: NOW })).toMatchObject({ kind: 'cron' });
    }
  });

  it('refuses an expression that never fires, with a clear message', () => {
    for (const never of ['0 0 30 2 *', '0 0 31 4,6,9,11 *', '0 0 31W 2 *']) {
      expect(fault({ cron: never })).toEqual({
        field: 'cron',
        message: `cron "${never}" never fires: no date matches it (such as February 30, or the 31st of a month of 30 days)`,
      });
    }
    // Rare is not never: 29 February that is a Monday (next in 2044).
    expect(parseSchedule({ cron: '0 0 29 2 +1' }, { now: NOW })).toMatchObject({ kind: 'cron' });
  });

  it('refuses malformed expressions, naming the fault', () => {
    expect(fault({ cron: '61 * * * *' })).toEqual({
      field: 'cron',
      message: 'cron "61 * * * *" is invalid: Invalid value for minute: 61',
    });
    expect(fault({ cron: '0 0 * * 8' }).message).toBe('cron "0 0 * * 8" is invalid: Invalid value for dayOfWeek: 8');
    expect(fault({ cron: '5/15 * * * *' }).message).toContain('Use wildcard (*/step) or range (min-max/step) instead');
    expect(fault({ cron: '0 0 * * 5#6' }).message).toContain('nth weekday out of range');
    expect(fault({ cron: '0 0 15W-20 * *' }).message).toContain('W is not allowed in a range');
    for (const count of ['* * *', '* * * * * * *', '']) {
      expect(fault({ cron: count }).message).toBe(
        `cron "${count}" is invalid: use five fields (minute hour day-of-month month day-of-week), six with seconds first, or a macro such as @daily`,
      );
    }
    expect(fault({ cron: '@reboot' }).message).toBe(
      'cron "@reboot" is invalid: the macros are @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly',
    );
  });

  it('needs exactly one of cron and at', () => {
    expect(fault({})).toEqual({ field: 'cron', message: 'a schedule needs cron (recurring) or at (one-shot)' });
    expect(fault({ cron: '@daily', at: '2027-01-01T00:00:00Z' })).toEqual({
      field: 'at',
      message: 'set either cron or at, not both',
    });
  });

  it('names fields under a path', () => {
    expect(fault({ cron: '61 * * * *' }, 'input').field).toBe('input.cron');
    expect(fault({ cron: '@daily', timezone: 'Mars/Olympus' }, 'schedules.nightly').field).toBe(
      'schedules.nightly.timezone',
    );
  });
});

describe('parseSchedule: one-shot', () => {
  it('accepts an instant with an offset, or a Date', () => {
    expect(parseSchedule({ at: '2026-12-01T10:00:00+01:00' }, { now: NOW })).toEqual({
      kind: 'at',
      at: new Date('2026-12-01T09:00:00Z'),
      timezone: 'UTC',
    });
    expect(parseSchedule({ at: '2026-12-01T10:00:00.250Z' }, { now: NOW })).toMatchObject({
      at: new Date('2026-12-01T10:00:00.250Z'),
    });
    expect(parseSchedule({ at: new Date('2026-12-01T10:00:00Z') }, { now: NOW })).toMatchObject({
      at: new Date('2026-12-01T10:00:00Z'),
    });
  });

  it('reads a date-time without offset in the time zone', () => {
    expect(parseSchedule({ at: '2026-12-01T10:00', timezone: 'Europe/Paris' }, { now: NOW })).toMatchObject({
      at: new Date('2026-12-01T09:00:00Z'),
      timezone: 'Europe/Paris',
    });
    expect(parseSchedule({ at: '2026-07-01T10:00:00', timezone: 'America/New_York' }, { now: NOW })).toMatchObject({
      at: new Date('2026-07-01T14:00:00Z'),
    });
    // Clocks go back: 02:30 happens twice, the first is taken (CEST).
    expect(parseSchedule({ at: '2026-10-25T02:30', timezone: 'Europe/Paris' }, { now: NOW })).toMatchObject({
      at: new Date('2026-10-25T00:30:00Z'),
    });
  });

  it('refuses a local time that does not exist, a past time, a bad date', () => {
    expect(fault({ at: '2026-03-29T02:30', timezone: 'Europe/Paris' })).toEqual({
      field: 'at',
      message: 'at "2026-03-29T02:30" does not exist in Europe/Paris: the clocks go forward over it',
    });
    expect(fault({ at: '2026-05-10T11:59:59Z' })).toEqual({
      field: 'at',
      message: 'at 2026-05-10T11:59:59.000Z is in the past (now is 2026-05-10T12:00:00.000Z)',
    });
    expect(fault({ at: '2026-05-10T12:00:00Z' }).message).toContain('is in the past');
    expect(fault({ at: '2027-02-29T10:00:00Z' }).message).toBe(
      'at "2027-02-29T10:00:00Z" is invalid: no such date or time',
    );
    expect(fault({ at: '2027-01-01T24:00:00Z' }).message).toContain('no such date or time');
    expect(fault({ at: '2027-01-01T10:00:00+15:00' }).message).toContain('offsets go from -14:00 to +14:00');
    expect(fault({ at: 'tomorrow' }).message).toContain('use an ISO 8601 date-time');
    expect(fault({ at: new Date(Number.NaN) }).message).toBe('at is not a valid date');
  });

  it('accepts a past one-shot when asked to (a stored schedule read again)', () => {
    expect(parseSchedule({ at: '2026-01-01T00:00:00Z' }, { now: NOW, allowPast: true })).toMatchObject({
      at: new Date('2026-01-01T00:00:00Z'),
    });
  });
});
