import { describe, expect, it } from 'vitest';
import { reentry, replacesPipelineContext } from './reopen.js';

const NOW = new Date('2030-01-01T00:00:00Z');
const run = { id: 'PR1', number: 1, concurrencyGroup: 'deploy', timeoutSec: 600 };

describe('a run reopened by a played manual job run', () => {
  it('enters its concurrency group again only while no other run of it is open', () => {
    expect(() => reentry(run, [{ id: 'PR2' }], 'JR1', NOW)).toThrow(
      'run PR1 has ended and run PR2 of its concurrency group deploy is open: play JR1 once that run has ended',
    );
    expect(reentry(run, [], 'JR1', NOW)).toEqual({ deadlineAt: new Date('2030-01-01T00:10:00Z') });
    expect(reentry({ ...run, concurrencyGroup: null, timeoutSec: null }, [], 'JR1', NOW)).toEqual({
      deadlineAt: null,
    });
  });

  it('does not replace the pipeline context a newer run wrote', () => {
    expect(replacesPipelineContext(2, run)).toBe(false);
    expect(replacesPipelineContext(1, run)).toBe(true);
    expect(replacesPipelineContext(undefined, run)).toBe(true);
  });
});
