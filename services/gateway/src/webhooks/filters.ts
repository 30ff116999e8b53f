import picomatch from 'picomatch';
import type { WebhookEvent, WebhookTrigger } from './types.js';

/** What a pipeline declares it is started by. Absent or empty lists let everything through. */
export interface WebhookFilters {
  /** Branch globs: `main`, `release/*`, `feature/**`; a leading `!` excludes (`!wip/**`). */
  branches?: string[];
  /** Tag globs: `v*`, `v[0-9]*.*`. */
  tags?: string[];
  /** `push` (branch pushes) and/or `tag` (tag pushes). Default both. */
  events?: WebhookEvent[];
}

export type FilterDecision = { match: true } | { match: false; reason: string };

/**
 * Whether a trigger passes a pipeline's filters. A name matches a glob list when it matches at
 * least one pattern without `!` (or the list has only `!` patterns) and no `!` pattern.
 * `*` does not cross `/` (`release/*` matches `release/1.2`, not `release/1.2/hotfix`); `**` does.
 */
export function matchFilters(
  trigger: Pick<WebhookTrigger, 'event' | 'refName' | 'refType'>,
  filters: WebhookFilters,
): FilterDecision {
  const events = filters.events ?? [];
  if (events.length > 0 && !events.includes(trigger.event)) {
    return {
      match: false,
      reason: `the pipeline is not started by ${trigger.event} events (only ${events.join(', ')})`,
    };
  }
  const globs = (trigger.refType === 'branch' ? filters.branches : filters.tags) ?? [];
  if (!matchGlobs(trigger.refName, globs)) {
    return {
      match: false,
      reason: `${trigger.refType} "${trigger.refName}" does not match the pipeline's ${trigger.refType} filters (${globs.join(', ')})`,
    };
  }
  return { match: true };
}

export function matchGlobs(name: string, globs: string[]): boolean {
  if (globs.length === 0) return true;
  const include = globs.filter((glob) => !glob.startsWith('!'));
  const exclude = globs.filter((glob) => glob.startsWith('!')).map((glob) => glob.slice(1));
  const options = { dot: true };
  if (exclude.length > 0 && picomatch(exclude, options)(name)) return false;
  return include.length === 0 || picomatch(include, options)(name);
}
