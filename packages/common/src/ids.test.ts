import { describe, expect, it } from 'vitest';
import { IdPrefix, isSafeId, newId } from './ids.js';

describe('newId', () => {
  it('gives the prefix and a ULID, distinct and in creation order, past a refill of the random pool', () => {
    // 4096 random bytes serve 256 ids: 3000 ids draw on the pool a dozen times.
    const ids = Array.from({ length: 3000 }, () => newId(IdPrefix.jobRun));
    for (const id of ids) {
      expect(id).toMatch(/^JR[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(isSafeId(id)).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('spreads the random part over the whole alphabet', async () => {
    // The last 16 characters of a ULID are random; within one millisecond ulid increments
    // them, so ids are taken 2 ms apart to see fresh randomness.
    const parts: string[] = [];
    for (let i = 0; i < 60; i++) {
      parts.push(newId(IdPrefix.job).slice(-16, -10));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(new Set(parts.join('')).size).toBeGreaterThan(28);
  });
});
