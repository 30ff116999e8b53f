import { describe, expect, it } from 'vitest';
import { isSilent, nextSighting } from './executor-liveness.js';

describe('executor liveness', () => {
  it('counts silence from when a revision was first seen, on the scheduler clock', () => {
    const first = nextSighting(undefined, 7, 1000);
    expect(first).toEqual({ revision: 7, sinceMs: 1000 });
    // The same revision read again: still the first sighting.
    expect(nextSighting(first, 7, 5000)).toBe(first);
    expect(isSilent(first, 3000, 2000)).toBe(false);
    expect(isSilent(first, 3001, 2000)).toBe(true);
  });

  it('starts over with each new heartbeat', () => {
    const first = nextSighting(undefined, 7, 1000);
    const next = nextSighting(first, 8, 9000);
    expect(next).toEqual({ revision: 8, sinceMs: 9000 });
    expect(isSilent(next, 10_000, 2000)).toBe(false);
  });
});
