import { describe, expect, it } from 'vitest';
import { admit, isLimited, limitReason, type HeldJobRun, type Occupancy } from './limits.js';

const held = (id: string, fields: Partial<HeldJobRun> = {}): HeldJobRun => ({
  id,
  pipelineRunId: 'R1',
  attempt: 1,
  pool: 'linux',
  jobId: 'J1',
  jobName: 'build',
  maxConcurrent: 0,
  ...fields,
});
const empty: Occupancy = { pools: new Map(), jobs: new Map(), recent: new Map() };

describe('dispatch limits', () => {
  it('apply to a job run whose pool has a limit or whose job has maxConcurrent', () => {
    expect(isLimited(held('a'), {})).toBe(false);
    expect(isLimited(held('a'), { other: { maxConcurrent: 1 } })).toBe(false);
    expect(isLimited(held('a'), { linux: { ratePerMinute: 5 } })).toBe(true);
    expect(isLimited(held('a', { maxConcurrent: 2 }), {})).toBe(true);
  });

  it('admit in order what fits, counting each admission for the next', () => {
    const result = admit(
      [held('a'), held('b'), held('c', { pool: 'arm' }), held('d')],
      { ...empty, pools: new Map([['linux', 1]]) },
      { linux: { maxConcurrent: 3 } },
    );
    expect(result.admitted.map((j) => j.id)).toEqual(['a', 'b', 'c']);
    expect(result.waiting.map((j) => j.id)).toEqual(['d']);
  });

  it('let a later job run through when the earlier one waits for its own job limit', () => {
    const result = admit(
      [held('a', { maxConcurrent: 1 }), held('b', { maxConcurrent: 1 }), held('c', { jobId: 'J2' })],
      empty,
      {},
    );
    expect(result.admitted.map((j) => j.id)).toEqual(['a', 'c']);
    expect(result.waiting.map((j) => j.id)).toEqual(['b']);
  });

  it('name the first limit reached', () => {
    const full: Occupancy = {
      pools: new Map([['linux', 8]]),
      jobs: new Map([['J1', 2]]),
      recent: new Map([['linux', 30]]),
    };
    expect(limitReason(held('a', { maxConcurrent: 2 }), full, { linux: { maxConcurrent: 8 } })).toBe(
      'waiting: pool linux at its limit of 8',
    );
    expect(limitReason(held('a', { maxConcurrent: 2 }), full, { linux: { maxConcurrent: 9 } })).toBe(
      'waiting: job build at its limit of 2 (maxConcurrent)',
    );
    expect(limitReason(held('a'), full, { linux: { ratePerMinute: 30 } })).toBe(
      'waiting: pool linux at its rate limit of 30 per minute',
    );
    expect(limitReason(held('a'), full, { linux: { ratePerMinute: 31, maxConcurrent: 9 } })).toBeUndefined();
  });
});
