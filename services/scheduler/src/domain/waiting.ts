/** An executor as the waiting reason needs it (the ExecutorDirectory port). */
export interface DirectoryExecutor {
  readonly pool: string;
  readonly tags: readonly string[];
  readonly state: 'idle' | 'busy' | 'draining' | 'lost';
}

const list = (tags: readonly string[]): string => `[${tags.join(', ')}]`;

/**
 * Why a job run handed to the executors of `pool` waits in their queue, from the
 * registered executors: none of the pool; none of it with the job's tags; all of those
 * draining or lost; or the ones that can take it, by number.
 */
export function executorReason(pool: string, tags: readonly string[], executors: readonly DirectoryExecutor[]): string {
  const live = executors.filter((executor) => executor.pool === pool && executor.state !== 'lost');
  if (live.length === 0) return `waiting: no executor in pool ${pool}`;
  const able = live.filter((executor) => tags.every((tag) => executor.tags.includes(tag)));
  if (able.length === 0) return `waiting: no executor in pool ${pool} has tags ${list(tags)}`;
  const taking = able.filter((executor) => executor.state !== 'draining');
  const which = tags.length === 0 ? `in pool ${pool}` : `in pool ${pool} with tags ${list(tags)}`;
  if (taking.length === 0) return `waiting: every executor ${which} is draining`;
  return `waiting: queued for the ${taking.length === 1 ? 'executor' : `${taking.length} executors`} ${which}`;
}

/** Why a job run waits for what it needs (earlier stages or its needs): the ones not ended yet. */
export function needsReason(pending: readonly string[]): string {
  const shown = pending.slice(0, 5).join(', ');
  const more = pending.length > 5 ? ` and ${pending.length - 5} more` : '';
  return `waiting: for ${shown}${more} to end`;
}

export const groupReason = (group: string): string => `waiting: concurrency group ${group}`;

export const backoffReason = (notBefore: Date): string => `waiting: retry backoff until ${notBefore.toISOString()}`;
