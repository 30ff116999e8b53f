import { describe, expect, it } from 'vitest';
import { ScheduleBook } from './schedule-book.js';
import { scheduleSpec, type ScheduleSpecInput } from './schedule-spec.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const spec = (fields: Partial<ScheduleSpecInput> = {}) =>
  scheduleSpec({
    id: 'S1',
    name: 'every-second',
    cron: '* * * * * *',
    atMs: 0,
    timezone: 'UTC',
    targets: [{ kind: 'pipeline', id: 'P1' }],
    overlap: 'ALLOW',
    missedFires: 'RUN_ONCE',
    activeSinceMs: T0,
    ...fields,
  });

describe('ScheduleBook', () => {
  it('holds nothing due until its cursor is read, then its next time from activeSince', () => {
    const book = new ScheduleBook();
    book.put(spec());
    expect(book.unknownCursors()).toEqual(['S1']);
    expect(book.due(new Date(T0 + 5000))).toEqual([]);
    book.setCursor('S1', null);
    expect(book.earliest()).toEqual(new Date(T0 + 1000));
    expect(book.due(new Date(T0 + 999))).toEqual([]);
    expect(book.due(new Date(T0 + 1000)).map((e) => e.spec.id)).toEqual(['S1']);
  });

  it('goes on from the history when it is later than activeSince, and never backwards', () => {
    const book = new ScheduleBook();
    book.put(spec());
    book.setCursor('S1', new Date(T0 + 60_000));
    expect(book.earliest()).toEqual(new Date(T0 + 61_000));
    book.setCursor('S1', new Date(T0 + 10_000));
    expect(book.earliest()).toEqual(new Date(T0 + 61_000));
  });

  it('keeps the cursor when a definition changes, but not before its new activeSince', () => {
    const book = new ScheduleBook();
    book.put(spec());
    book.setCursor('S1', new Date(T0 + 5000));
    book.put(spec({ name: 'renamed' }));
    expect(book.get('S1')?.after).toEqual(new Date(T0 + 5000));
    book.put(spec({ cron: '*/10 * * * * *', activeSinceMs: T0 + 7500 }));
    expect(book.get('S1')?.after).toEqual(new Date(T0 + 7500));
    expect(book.earliest()).toEqual(new Date(T0 + 10_000));
  });

  it('forgets every cursor (a new leader reads them again), and removes a schedule', () => {
    const book = new ScheduleBook();
    book.put(spec());
    book.put(spec({ id: 'S2' }));
    book.setCursor('S1', null);
    book.setCursor('S2', null);
    book.forgetCursors();
    expect(book.unknownCursors().sort()).toEqual(['S1', 'S2']);
    expect(book.earliest()).toBeNull();
    book.remove('S2');
    expect(book.size).toBe(1);
  });

  it('a one-shot is due once, and has no next time after it', () => {
    const book = new ScheduleBook();
    book.put(spec({ cron: '', atMs: T0 + 30_000 }));
    book.setCursor('S1', null);
    expect(book.earliest()).toEqual(new Date(T0 + 30_000));
    book.setCursor('S1', new Date(T0 + 30_000));
    expect(book.earliest()).toBeNull();
    expect(book.due(new Date(T0 + 3_600_000))).toEqual([]);
  });

  it('finds the due ones among 10,000 schedules without computing the others', () => {
    const book = new ScheduleBook();
    for (let i = 0; i < 10_000; i += 1)
      book.put(spec({ id: `S${i}`, cron: i % 2 === 0 ? '* * * * * *' : '0 0 * * *' }));
    for (let i = 0; i < 10_000; i += 1) book.setCursor(`S${i}`, null);
    expect(book.due(new Date(T0 + 1000))).toHaveLength(5000);
  });
});
