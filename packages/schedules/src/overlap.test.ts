import { describe, expect, it } from 'vitest';
import { decideOverlap } from './overlap.js';

describe('decideOverlap', () => {
  it('starts when nothing runs, whatever the policy', () => {
    for (const policy of ['allow', 'skip', 'queue'] as const) {
      expect(decideOverlap({ policy, previousRunning: false })).toEqual({ action: 'start' });
    }
  });

  it('allow starts, skip skips, queue queues while the previous run runs', () => {
    expect(decideOverlap({ policy: 'allow', previousRunning: true })).toEqual({ action: 'start' });
    expect(decideOverlap({ policy: 'skip', previousRunning: true })).toEqual({
      action: 'skip',
      reason: 'the previous run is still running',
    });
    expect(decideOverlap({ policy: 'queue', previousRunning: true })).toEqual({ action: 'queue' });
  });

  it('queues at most maxQueued fires (default 1), then skips', () => {
    expect(decideOverlap({ policy: 'queue', previousRunning: true, queued: 1 })).toEqual({
      action: 'skip',
      reason: 'the previous run is still running and 1 fire is already queued',
    });
    expect(decideOverlap({ policy: 'queue', previousRunning: true, queued: 2, maxQueued: 3 })).toEqual({
      action: 'queue',
    });
    expect(decideOverlap({ policy: 'queue', previousRunning: true, queued: 3, maxQueued: 3 })).toEqual({
      action: 'skip',
      reason: 'the previous run is still running and 3 fires are already queued',
    });
  });
});
