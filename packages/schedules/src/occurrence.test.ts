import { describe, expect, it } from 'vitest';
import { occurrenceKey, parseOccurrenceKey, targetOccurrenceKey } from './occurrence.js';

describe('occurrenceKey', () => {
  it('is schedule:<id>:<ISO planned time>, the same for the same occurrence', () => {
    const planned = new Date('2026-03-29T01:00:00Z');
    expect(occurrenceKey('S01JABC', planned)).toBe('schedule:S01JABC:2026-03-29T01:00:00.000Z');
    expect(occurrenceKey('S01JABC', new Date(planned.getTime()))).toBe(occurrenceKey('S01JABC', planned));
    expect(occurrenceKey('S01JABC', new Date('2026-03-29T03:00:00+02:00'))).toBe(occurrenceKey('S01JABC', planned));
  });

  it('refuses an empty id, a colon in the id, an invalid date', () => {
    expect(() => occurrenceKey('', new Date())).toThrow('invalid schedule id');
    expect(() => occurrenceKey('a:b', new Date())).toThrow('invalid schedule id');
    expect(() => occurrenceKey('S1', new Date(Number.NaN))).toThrow('invalid planned time');
  });

  it('reads a key back', () => {
    expect(parseOccurrenceKey('schedule:S1:2026-03-29T01:00:00.000Z')).toEqual({
      scheduleId: 'S1',
      plannedTime: new Date('2026-03-29T01:00:00Z'),
    });
    expect(parseOccurrenceKey('webhook:abc')).toBeNull();
    expect(parseOccurrenceKey('schedule:S1:2026-02-30T01:00:00.000Z')).toBeNull();
  });

  it('names the target of a run in the key of that run, and reads it back', () => {
    const planned = new Date('2026-03-29T01:00:00Z');
    const key = targetOccurrenceKey('S1', planned, 'P01X');
    expect(key).toBe('schedule:S1:2026-03-29T01:00:00.000Z:P01X');
    expect(targetOccurrenceKey('S1', planned, 'J01Y')).not.toBe(key);
    expect(parseOccurrenceKey(key)).toEqual({ scheduleId: 'S1', plannedTime: planned, targetId: 'P01X' });
    expect(() => targetOccurrenceKey('S1', planned, '')).toThrow('invalid target id');
    expect(parseOccurrenceKey('schedule:S1:2026-03-29T01:00:00.000Z:a:b')).toBeNull();
  });
});
