import { Cron, type CronOptions } from 'croner';

/**
 * The one place that configures croner, for validation (catalog) and firing (scheduler) alike:
 * - 5 fields, or 6 with seconds first; no year field;
 * - `fixedTimeRule: 'no-wildcard'`: a job with no `*` or step in its seconds, minutes and hours
 *   (lists and ranges allowed) is a fixed-time job for DST, as in Vixie/Debian cron (README);
 * - day of month OR day of week when both are restricted (Vixie), `+` before the day of week for AND;
 * - `*\/n` and `a-b/n` steps only (`5/15` is refused: write `5-59/15`).
 */
const OPTIONS: CronOptions = {
  paused: true,
  mode: '5-or-6-parts',
  fixedTimeRule: 'no-wildcard',
  domAndDow: false,
  sloppyRanges: false,
};

const cache = new Map<string, Cron>();
const CACHE_LIMIT = 10_000;

/**
 * A compiled, paused croner pattern (never schedules a timer). Throws croner's errors.
 * UTC is given to croner as a fixed offset of 0, which has no daylight saving time either: the same
 * fire times, fifteen times cheaper than its `timezone` option (which goes through `Intl`).
 */
export function compileCron(expression: string, timezone: string): Cron {
  const key = `${timezone} ${expression}`;
  let cron = cache.get(key);
  if (cron === undefined) {
    cron = new Cron(expression, timezone === 'UTC' ? { ...OPTIONS, utcOffset: 0 } : { ...OPTIONS, timezone });
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, cron);
  }
  return cron;
}

/** Croner's message without its `CronPattern: ` prefix. */
export function cronErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Cron(Pattern|Options|Date)?:\s*/, '');
}

/** Fire times strictly after `after`, earliest first. */
export function cronNext(cron: Cron, after: Date, count: number): Date[] {
  return count <= 0 ? [] : cron.nextRuns(count, after);
}

/** Fire times strictly before `before`, latest first. */
export function cronPrevious(cron: Cron, before: Date, count: number): Date[] {
  return count <= 0 ? [] : cron.previousRuns(count, before);
}
