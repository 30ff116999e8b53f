import { describe, expect, it } from 'vitest';
import { describeCron, describeSchedule } from './describe.js';
import { parseSchedule } from './schedule.js';

const NOW = new Date('2026-01-01T00:00:00Z');

describe('describeSchedule', () => {
  it('describes a cron schedule with its time zone', () => {
    expect(describeSchedule(parseSchedule({ cron: '30 2 * * 1-5', timezone: 'Europe/Paris' }, { now: NOW }))).toBe(
      'At 02:30, Monday through Friday (Europe/Paris)',
    );
    expect(describeSchedule(parseSchedule({ cron: '@hourly' }, { now: NOW }))).toBe('Every hour (UTC)');
  });

  it('describes a one-shot in its time zone', () => {
    const once = parseSchedule({ at: '2026-12-01T10:00', timezone: 'Europe/Paris' }, { now: NOW });
    expect(describeSchedule(once)).toBe('Once, at 2026-12-01 10:00:00 (Europe/Paris)');
  });
});

describe('describeCron', () => {
  it.each([
    ['*/15 * * * *', 'Every 15 minutes'],
    ['*/10 * * * * *', 'Every 10 seconds'],
    ['0 0 15W * *', 'At 00:00, on the weekday nearest day 15 of the month'],
    ['0 0 L * *', 'At 00:00, on the last day of the month'],
    ['0 0 LW * *', 'At 00:00, on the last weekday of the month'],
    ['0 0 * * 5#3', 'At 00:00, on the third Friday of the month'],
    ['0 0 * * 5#L', 'At 00:00, on the last Friday of the month'],
    ['0 0 * * 7', 'At 00:00, only on Sunday'],
    ['0 0 13 * 5', 'At 00:00, on day 13 of the month, and on Friday'],
    ['0 0 13 * +5', 'At 00:00, on day 13 of the month, if that day is also Friday'],
    ['0 0 13 * +1-5', 'At 00:00, on day 13 of the month, if that day is also Monday through Friday'],
    ['@weekly', 'At 00:00, only on Sunday'],
    ['@yearly', 'At 00:00, on day 1 of the month, only in January'],
  ])('%s → %s', (cron, text) => {
    expect(describeCron(cron)).toBe(text);
  });
});
