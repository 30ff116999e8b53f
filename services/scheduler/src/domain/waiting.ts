/** An executor as the waiting reason needs it (the ExecutorDirectory port). */
export interface DirectoryExecutor {
  readonly pool: string;
  readonly tags: readonly string[];
  readonly state: 'idle' | 'busy' | 'draining' | 'lost';
  /** Why it takes no new job although not draining (its host under the admission thresholds); empty: it takes work. */
  readonly pausedReason?: string | undefined;
}

const list = (tags: readonly string[]): string => `[${tags.join(', ')}]`;

/** Distinct texts, at most three, joined with "; ". */
function reasons(texts: readonly string[]): string {
  const distinct = [...new Set(texts)];
  const more = distinct.length > 3 ? ` and ${distinct.length - 3} more` : '';
  return `${distinct.slice(0, 3).join('; ')}${more}`;
}

/**
 * Why a job run handed to the executors of `pool` waits in their queue, from the
 * registered executors: none of the pool; none of it with the job's tags; all of those
 * draining, paused by their host's admission thresholds (with why), or both; or the
 * ones that can take it, by number. Lost executors count as absent.
 */
export function executorReason(pool: string, tags: readonly string[], executors: readonly DirectoryExecutor[]): string {
  const live = executors.filter((executor) => executor.pool === pool && executor.state !== 'lost');
  if (live.length === 0) return `waiting: no executor in pool ${pool}`;
  const able = live.filter((executor) => tags.every((tag) => executor.tags.includes(tag)));
  if (able.length === 0) return `waiting: no executor in pool ${pool} has tags ${list(tags)}`;
  const which = tags.length === 0 ? `in pool ${pool}` : `in pool ${pool} with tags ${list(tags)}`;
  const draining = able.filter((executor) => executor.state === 'draining');
  const notDraining = able.filter((executor) => executor.state !== 'draining');
  const paused = notDraining.filter((executor) => (executor.pausedReason ?? '') !== '');
  const taking = notDraining.length - paused.length;
  if (taking > 0) return `waiting: queued for the ${taking === 1 ? 'executor' : `${taking} executors`} ${which}`;
  if (paused.length === 0) return `waiting: every executor ${which} is draining`;
  const why = reasons(paused.map((executor) => executor.pausedReason ?? ''));
  if (draining.length === 0) return `waiting: every executor ${which} is paused: ${why}`;
  return `waiting: every executor ${which} is draining (${draining.length}) or paused (${paused.length}): ${why}`;
}

/** Why a job run waits for what it needs (earlier stages or its needs): the ones not ended yet. */
export function needsReason(pending: readonly string[]): string {
  const shown = pending.slice(0, 5).join(', ');
  const more = pending.length > 5 ? ` and ${pending.length - 5} more` : '';
  return `waiting: for ${shown}${more} to end`;
}

export const groupReason = (group: string): string => `waiting: concurrency group ${group}`;

export const backoffReason = (notBefore: Date): string => `waiting: retry backoff until ${notBefore.toISOString()}`;
