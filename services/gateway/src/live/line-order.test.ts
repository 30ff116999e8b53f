import { describe, expect, it } from 'vitest';
import { LineOrder } from './line-order.js';

describe('line order of a live log', () => {
  it('sends each line once, in seq order, dropping the overlap of backfill and live stream', () => {
    const order = new LineOrder({ attempt: 1, fromSeq: 1 });
    const placed = [1, 2, 3, 2, 3, 4].map((seq) => order.place({ attempt: 1, seq }).kind);
    expect(placed).toEqual(['next', 'next', 'next', 'duplicate', 'duplicate', 'next']);
    expect(order.expected).toEqual({ attempt: 1, seq: 5 });
  });

  it('names the missing range when a line comes early', () => {
    const order = new LineOrder({ attempt: 1, fromSeq: 10 });
    expect(order.place({ attempt: 1, seq: 3 })).toEqual({ kind: 'duplicate' });
    expect(order.place({ attempt: 1, seq: 14 })).toEqual({ kind: 'gap', attempt: 1, from: 10, to: 13 });
    // Nothing was sent: the range is still missing.
    expect(order.expected).toEqual({ attempt: 1, seq: 10 });
  });

  it('follows a retry into its next attempt, which starts over at 1', () => {
    const order = new LineOrder({ attempt: 1, fromSeq: 1 });
    order.place({ attempt: 1, seq: 1 });
    expect(order.place({ attempt: 2, seq: 2 })).toEqual({ kind: 'gap', attempt: 2, from: 1, to: 1 });
    expect(order.place({ attempt: 2, seq: 1 })).toEqual({ kind: 'next' });
    expect(order.place({ attempt: 1, seq: 2 })).toEqual({ kind: 'duplicate' });
    expect(order.sentThrough(1, 99)).toBe(true);
    expect(order.sentThrough(2, 1)).toBe(true);
    expect(order.sentThrough(2, 2)).toBe(false);
  });
});
