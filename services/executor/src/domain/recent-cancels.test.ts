import { describe, expect, it } from 'vitest';
import { RecentCancels } from './recent-cancels.js';

function clock() {
  let now = 1000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('RecentCancels', () => {
  it('matches the attempt cancelled, and every attempt for attempt 0', () => {
    const cancels = new RecentCancels();
    cancels.remember('JR1', 2, 'by alice');
    cancels.remember('JR2', 0, 'by bob');
    expect(cancels.match('JR1', 2)).toBe('by alice');
    expect(cancels.match('JR1', 1)).toBeUndefined();
    expect(cancels.match('JR2', 1)).toBe('by bob');
    expect(cancels.match('JR2', 7)).toBe('by bob');
    expect(cancels.match('JR3', 1)).toBeUndefined();
  });

  it('forgets cancels older than the TTL', () => {
    const time = clock();
    const cancels = new RecentCancels(600_000, 100, time.now);
    cancels.remember('JR1', 0, 'old');
    time.advance(300_000);
    cancels.remember('JR2', 0, 'newer');
    time.advance(300_001);
    expect(cancels.match('JR1', 1)).toBeUndefined();
    expect(cancels.match('JR2', 1)).toBe('newer');
    expect(cancels.size).toBe(1);
  });

  it('keeps at most maxEntries, forgetting the oldest', () => {
    const cancels = new RecentCancels(600_000, 2);
    cancels.remember('JR1', 0, 'a');
    cancels.remember('JR2', 0, 'b');
    cancels.remember('JR3', 0, 'c');
    expect(cancels.size).toBe(2);
    expect(cancels.match('JR1', 1)).toBeUndefined();
    expect(cancels.match('JR3', 1)).toBe('c');
  });
});
