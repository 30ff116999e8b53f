import { describe, expect, it } from 'vitest';
import { branchMatches, matchingSubscriptions } from './matching.js';

const sub = (id: string, more: Partial<{ events: string[]; pipelineIds: string[]; branches: string[] }> = {}) => ({
  id,
  events: ['pipeline_run.failed'],
  pipelineIds: [],
  branches: [],
  ...more,
});

describe('matchingSubscriptions', () => {
  const failed = { type: 'pipeline_run.failed' as const, pipelineId: 'P1' };

  it('takes the subscriptions of the event type', () => {
    const found = matchingSubscriptions(failed, 'main', [sub('a'), sub('b', { events: ['pipeline_run.started'] })]);
    expect(found.map((s) => s.id)).toEqual(['a']);
  });

  it('applies the pipeline filter (an event of no pipeline passes only unfiltered ones)', () => {
    const subs = [sub('a', { pipelineIds: ['P1'] }), sub('b', { pipelineIds: ['P2'] }), sub('c')];
    expect(matchingSubscriptions(failed, null, subs).map((s) => s.id)).toEqual(['a', 'c']);
    expect(matchingSubscriptions({ ...failed, pipelineId: null }, null, subs).map((s) => s.id)).toEqual(['c']);
  });

  it('applies the branch filter (a run without a branch passes none)', () => {
    const subs = [sub('a', { branches: ['main', 'release/*'] }), sub('b')];
    expect(matchingSubscriptions(failed, 'release/1.2', subs).map((s) => s.id)).toEqual(['a', 'b']);
    expect(matchingSubscriptions(failed, 'feature/x', subs).map((s) => s.id)).toEqual(['b']);
    expect(matchingSubscriptions(failed, null, subs).map((s) => s.id)).toEqual(['b']);
  });
});

describe('branchMatches', () => {
  it('treats * as any characters and nothing else as special', () => {
    expect(branchMatches('release/*', 'release/1.0')).toBe(true);
    expect(branchMatches('release/*', 'hotfix/1.0')).toBe(false);
    expect(branchMatches('v1.0', 'v1x0')).toBe(false);
    expect(branchMatches('*', 'anything')).toBe(true);
  });
});
