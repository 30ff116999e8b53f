import { describe, expect, it } from 'vitest';
import { instantsOf, localFields, parseTimeZone } from './time-zone.js';

describe('parseTimeZone', () => {
  it('defaults to UTC and gives the canonical spelling', () => {
    expect(parseTimeZone(undefined)).toBe('UTC');
    expect(parseTimeZone(null)).toBe('UTC');
    expect(parseTimeZone(' ')).toBe('UTC');
    expect(parseTimeZone('europe/paris')).toBe('Europe/Paris');
    expect(parseTimeZone('US/Eastern')).toBe('America/New_York');
    expect(parseTimeZone('UTC')).toBe('UTC');
    expect(parseTimeZone('Etc/GMT+5')).toBe('Etc/GMT+5');
  });

  it('refuses unknown zones, offsets and abbreviations, naming the field', () => {
    expect(() => parseTimeZone('Europe/Pariss', 'input.timezone')).toThrow(
      expect.objectContaining({
        field: 'input.timezone',
        message: 'time zone "Europe/Pariss" is unknown: use an IANA name such as Europe/Paris or UTC',
      }),
    );
    expect(() => parseTimeZone('+01:00')).toThrow('is unknown');
    for (const abbreviation of ['EST', 'CET', 'EST5EDT']) {
      expect(() => parseTimeZone(abbreviation)).toThrow(
        `time zone "${abbreviation}" is an abbreviation, not a place: use an IANA name such as America/New_York or Europe/Paris`,
      );
    }
  });
});

describe('instantsOf', () => {
  const local = { year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0 };
  it('finds none in a gap, two in a repeated hour, one otherwise', () => {
    expect(instantsOf(local, 'Europe/Paris')).toEqual([]);
    expect(instantsOf({ ...local, month: 10, day: 25 }, 'Europe/Paris')).toEqual([
      new Date('2026-10-25T00:30:00Z'),
      new Date('2026-10-25T01:30:00Z'),
    ]);
    expect(instantsOf({ ...local, day: 30 }, 'Europe/Paris')).toEqual([new Date('2026-03-30T00:30:00Z')]);
    expect(instantsOf(local, 'UTC', 250)).toEqual([new Date('2026-03-29T02:30:00.250Z')]);
  });

  it('round-trips with localFields', () => {
    expect(localFields(new Date('2026-11-01T05:30:00Z'), 'America/New_York')).toEqual({
      year: 2026,
      month: 11,
      day: 1,
      hour: 1,
      minute: 30,
      second: 0,
    });
    expect(localFields(new Date('2026-01-01T00:00:00Z'), 'Asia/Kolkata').hour).toBe(5);
  });
});
