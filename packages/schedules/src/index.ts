export { parseSchedule } from './schedule.js';
export type { CronSchedule, OneShotSchedule, ParseOptions, Schedule, ScheduleInput } from './schedule.js';
export { parseTimeZone } from './time-zone.js';
export { MAX_FIRE_TIMES, nextFireTime, nextFireTimes, previousFireTimes } from './fire-times.js';
export { describeCron, describeSchedule } from './describe.js';
export { occurrenceKey, parseOccurrenceKey, targetOccurrenceKey } from './occurrence.js';
export {
  DEFAULT_GRACE_MS,
  DEFAULT_MAX_CATCH_UP,
  DEFAULT_MAX_LISTED,
  MISSED_FIRE_POLICIES,
  planDueFires,
} from './missed-fires.js';
export type { DueInput, DuePlan, MissedFirePolicy, SkipReason, SkippedFire, UnlistedSkips } from './missed-fires.js';
export { DEFAULT_MAX_QUEUED, OVERLAP_POLICIES, decideOverlap } from './overlap.js';
export type { OverlapDecision, OverlapInput, OverlapPolicy } from './overlap.js';
