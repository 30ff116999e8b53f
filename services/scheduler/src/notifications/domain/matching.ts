import type { NotificationOccurrence } from './events.js';

/** A subscription as the scheduler matches it (the catalog's list: enabled ones, no URL, no secret). */
export interface SubscriptionFilter {
  id: string;
  events: readonly string[];
  /** Empty: every pipeline. */
  pipelineIds: readonly string[];
  /** Patterns, `*` matching any characters; empty: every run. */
  branches: readonly string[];
}

/** Whether a branch pattern (`*` = any characters, nothing else special) matches. */
export function branchMatches(pattern: string, branch: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's').test(branch);
}

/**
 * The subscriptions an occurrence goes to. Pipeline filter: only occurrences of those pipelines
 * (an occurrence without a pipeline, such as a critical error, only reaches subscriptions without
 * one). Branch filter: only runs on a matching branch (a run without a branch matches none). Pure.
 */
export function matchingSubscriptions<S extends SubscriptionFilter>(
  occurrence: Pick<NotificationOccurrence, 'type' | 'pipelineId'>,
  branch: string | null,
  subscriptions: readonly S[],
): S[] {
  return subscriptions.filter((subscription) => {
    if (!subscription.events.includes(occurrence.type)) return false;
    if (subscription.pipelineIds.length > 0) {
      if (occurrence.pipelineId === null || !subscription.pipelineIds.includes(occurrence.pipelineId)) return false;
    }
    if (subscription.branches.length > 0) {
      if (branch === null || !subscription.branches.some((pattern) => branchMatches(pattern, branch))) return false;
    }
    return true;
  });
}
