import { describe, expect, it } from 'vitest';
import { loadMallocTrim, shouldTrim } from './malloc-trim.js';

const MB = 1024 * 1024;

describe('shouldTrim', () => {
  it('trims a quiet process the first time', () => {
    expect(shouldTrim({ rssAfterTrim: undefined }, 0.02, 400 * MB)).toBe(true);
  });

  it('leaves a busy process alone, however much it grew', () => {
    expect(shouldTrim({ rssAfterTrim: undefined }, 0.1, 400 * MB)).toBe(false);
    expect(shouldTrim({ rssAfterTrim: 100 * MB }, 0.5, 900 * MB)).toBe(false);
  });

  it('trims again only once the process grew by 8 MiB since the last trim', () => {
    expect(shouldTrim({ rssAfterTrim: 400 * MB }, 0, 407 * MB)).toBe(false);
    expect(shouldTrim({ rssAfterTrim: 400 * MB }, 0, 408 * MB)).toBe(true);
    expect(shouldTrim({ rssAfterTrim: 400 * MB }, 0, 350 * MB)).toBe(false);
  });
});

describe('loadMallocTrim', () => {
  it('says why when the C library cannot be loaded', () => {
    const trim = loadMallocTrim('libfluxi-missing.so.9');
    expect(typeof trim).toBe('object');
    expect(trim).toEqual({ unavailable: expect.stringContaining('libfluxi-missing.so.9') });
  });
});
