import { describe, expect, it } from 'vitest';
import { excerptOf, isDelivered, retryDelayMs, verdictOf } from './retry.js';

const backoff = { initialMs: 1000, factor: 2, maxMs: 10_000, jitter: 0.2 };

describe('retryDelayMs', () => {
  it('doubles from the initial delay up to the cap', () => {
    const noJitter = { ...backoff, jitter: 0 };
    expect([1, 2, 3, 4, 5, 9].map((n) => retryDelayMs(n, noJitter, 0.9))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });

  it('moves each delay by up to ±jitter', () => {
    expect(retryDelayMs(1, backoff, 0)).toBe(800);
    expect(retryDelayMs(1, backoff, 0.5)).toBe(1000);
    expect(retryDelayMs(1, backoff, 0.999_999)).toBe(1200);
  });
});

describe('verdictOf', () => {
  const now = new Date('2025-01-01T00:00:00Z');
  it('delivered, retried later, or given up after the last attempt', () => {
    expect(verdictOf(true, 1, 3, now, 500)).toEqual({ status: 'DELIVERED' });
    expect(verdictOf(false, 2, 3, now, 500)).toEqual({ status: 'PENDING', retryAt: new Date(now.getTime() + 500) });
    expect(verdictOf(false, 3, 3, now, 500)).toEqual({ status: 'DEAD' });
  });

  it('counts any 2xx as delivered', () => {
    expect([200, 204, 299, 300, 404, 500, null].map(isDelivered)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('excerptOf', () => {
  it('keeps at most 1 KiB, whole characters', () => {
    expect(excerptOf('ok')).toBe('ok');
    const cut = excerptOf('é'.repeat(600));
    expect(Buffer.byteLength(cut)).toBe(1024);
    expect(cut).toBe('é'.repeat(512));
  });
});
