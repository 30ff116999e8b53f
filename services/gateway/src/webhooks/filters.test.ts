import { describe, expect, it } from 'vitest';
import { matchFilters, matchGlobs } from './filters.js';

const branch = (refName: string) => ({ event: 'push' as const, refType: 'branch' as const, refName });
const tag = (refName: string) => ({ event: 'tag' as const, refType: 'tag' as const, refName });

describe('matchGlobs', () => {
  it('matches everything with no globs', () => {
    expect(matchGlobs('anything/at/all', [])).toBe(true);
  });

  it('reads * within one segment, ** across segments, ! as exclusion', () => {
    expect(matchGlobs('main', ['main'])).toBe(true);
    expect(matchGlobs('mainline', ['main'])).toBe(false);
    expect(matchGlobs('release/1.2', ['release/*'])).toBe(true);
    expect(matchGlobs('release/1.2/hotfix', ['release/*'])).toBe(false);
    expect(matchGlobs('release/1.2/hotfix', ['release/**'])).toBe(true);
    expect(matchGlobs('feature/x', ['main', 'feature/*'])).toBe(true);
    expect(matchGlobs('wip/try', ['!wip/**'])).toBe(false);
    expect(matchGlobs('main', ['!wip/**'])).toBe(true);
    expect(matchGlobs('release/old', ['release/*', '!release/old'])).toBe(false);
    expect(matchGlobs('v1.2.0', ['v[0-9]*'])).toBe(true);
    expect(matchGlobs('.hidden', ['*'])).toBe(true);
  });
});

describe('matchFilters', () => {
  it('lets everything through without filters', () => {
    expect(matchFilters(branch('main'), {})).toEqual({ match: true });
    expect(matchFilters(tag('v1'), { branches: [], tags: [], events: [] })).toEqual({ match: true });
  });

  it('misses a branch outside the branch globs, with the reason', () => {
    expect(matchFilters(branch('feature/x'), { branches: ['main', 'release/*'] })).toEqual({
      match: false,
      reason: 'branch "feature/x" does not match the pipeline\'s branch filters (main, release/*)',
    });
    expect(matchFilters(branch('release/2.x'), { branches: ['main', 'release/*'] })).toEqual({ match: true });
  });

  it('applies tag globs to tags and branch globs to branches only', () => {
    const filters = { branches: ['main'], tags: ['v*'] };
    expect(matchFilters(tag('v1.2.0'), filters)).toEqual({ match: true });
    expect(matchFilters(tag('nightly'), filters)).toMatchObject({ match: false });
    expect(matchFilters(tag('nightly'), { branches: ['main'] })).toEqual({ match: true });
  });

  it('filters by event', () => {
    expect(matchFilters(tag('v1'), { events: ['push'] })).toEqual({
      match: false,
      reason: 'the pipeline is not started by tag events (only push)',
    });
    expect(matchFilters(branch('main'), { events: ['tag'] })).toMatchObject({ match: false });
    expect(matchFilters(branch('main'), { events: ['push', 'tag'] })).toEqual({ match: true });
  });
});
