/**
 * What a fire does when the previous run it started for the same target is still running:
 * start another (`allow`), start nothing (`skip`), or start it once the previous one ends (`queue`).
 */
export type OverlapPolicy = 'allow' | 'skip' | 'queue';
export const OVERLAP_POLICIES: readonly OverlapPolicy[] = ['allow', 'skip', 'queue'];

export interface OverlapInput {
  policy: OverlapPolicy;
  /** A run this schedule started for this target has not ended. */
  previousRunning: boolean;
  /** Fires of this schedule already waiting for this target (`queue`). */
  queued?: number;
  /** `queue` holds at most this many waiting fires per target; further ones are skipped. Default 1. */
  maxQueued?: number;
}

export type OverlapDecision = { action: 'start' } | { action: 'queue' } | { action: 'skip'; reason: string };

export const DEFAULT_MAX_QUEUED = 1;

export function decideOverlap(input: OverlapInput): OverlapDecision {
  if (!input.previousRunning || input.policy === 'allow') return { action: 'start' };
  if (input.policy === 'skip') return { action: 'skip', reason: 'the previous run is still running' };
  const maxQueued = input.maxQueued ?? DEFAULT_MAX_QUEUED;
  if ((input.queued ?? 0) >= maxQueued) {
    return {
      action: 'skip',
      reason: `the previous run is still running and ${maxQueued} fire${maxQueued === 1 ? ' is' : 's are'} already queued`,
    };
  }
  return { action: 'queue' };
}
