import { compileCron, cronNext, cronPrevious } from './cron.js';
import type { Schedule } from './schedule.js';

/** The most fire times one call computes (an API asking for more gets this many). */
export const MAX_FIRE_TIMES = 1000;

/** The next `count` fire times strictly after `after`, earliest first (a one-shot has at most one). */
export function nextFireTimes(schedule: Schedule, after: Date, count: number): Date[] {
  const n = bound(count);
  if (schedule.kind === 'at') return n > 0 && schedule.at.getTime() > after.getTime() ? [schedule.at] : [];
  return cronNext(compileCron(schedule.cron, schedule.timezone), after, n);
}

/** The next fire time strictly after `after`, or null when there is none (a one-shot that passed). */
export function nextFireTime(schedule: Schedule, after: Date): Date | null {
  return nextFireTimes(schedule, after, 1)[0] ?? null;
}

/** The last `count` fire times at or before `atOrBefore`, latest first. */
export function previousFireTimes(schedule: Schedule, atOrBefore: Date, count: number): Date[] {
  const n = bound(count);
  if (schedule.kind === 'at') return n > 0 && schedule.at.getTime() <= atOrBefore.getTime() ? [schedule.at] : [];
  // Croner answers strictly before its argument, in whole seconds: ask from the next second.
  const before = new Date(Math.floor(atOrBefore.getTime() / 1000) * 1000 + 1000);
  return cronPrevious(compileCron(schedule.cron, schedule.timezone), before, n).filter(
    (time) => time.getTime() <= atOrBefore.getTime(),
  );
}

function bound(count: number): number {
  return Number.isFinite(count) ? Math.max(0, Math.min(Math.floor(count), MAX_FIRE_TIMES)) : 0;
}
