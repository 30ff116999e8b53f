import { nextFireTime, nextFireTimes, previousFireTimes } from './fire-times.js';
import type { Schedule } from './schedule.js';

/**
 * What to do with planned times that passed while no scheduler fired them (downtime):
 * `skip` them, `run-once` (one run for all of them, the latest), or run them `all` (bounded).
 */
export type MissedFirePolicy = 'skip' | 'run-once' | 'all';
export const MISSED_FIRE_POLICIES: readonly MissedFirePolicy[] = ['skip', 'run-once', 'all'];

/** Why a planned time was not fired, for the schedule's history. */
export type SkipReason =
  /** Missed (older than the grace) under the `skip` policy. */
  | 'missed'
  /** Missed under `run-once`: a later planned time ran for it. */
  | 'run-once'
  /** Missed under `all`, older than the `maxCatchUp` latest ones that ran. */
  | 'catch-up-limit';

export interface DueInput {
  schedule: Schedule;
  /** The latest planned time already handled (fired or skipped), or when the schedule was enabled. */
  after: Date;
  now: Date;
  policy: MissedFirePolicy;
  /** A planned time at most this old is on time and fires whatever the policy. Default 60 s. */
  graceMs?: number;
  /** `all` fires at most this many missed planned times, the latest ones. Default 100. */
  maxCatchUp?: number;
  /** At most this many skipped planned times are listed one by one (the latest). Default 100. */
  maxListed?: number;
}

export interface SkippedFire {
  planned: Date;
  reason: SkipReason;
}

export interface UnlistedSkips {
  /** Exclusive. */
  after: Date;
  /** Inclusive: the latest unlisted planned time. */
  through: Date;
  reason: SkipReason;
  /** How many were computed; with `atLeast`, more exist before them that were not computed. */
  count: number;
  atLeast: boolean;
}

export interface DuePlan {
  /** Planned times to fire now, earliest first. */
  fire: Date[];
  /** Planned times to record as skipped, earliest first. */
  skipped: SkippedFire[];
  /** Older skipped planned times, not listed one by one: those in (`after`, `through`]. */
  skippedUnlisted: UnlistedSkips | null;
  /** The latest planned time this plan covers: the next call's `after`. Null when nothing was due. */
  handledThrough: Date | null;
  /** The next planned time after `now`, null when the schedule will not fire again. */
  next: Date | null;
}

export const DEFAULT_GRACE_MS = 60_000;
export const DEFAULT_MAX_CATCH_UP = 100;
export const DEFAULT_MAX_LISTED = 100;

/**
 * The planned times in (`after`, `now`] and what to do with each: on-time ones (within the grace)
 * fire; older ones follow the missed-fire policy. Pure; computes at most a bounded number of times
 * however long the downtime was (older ones are reported as one unlisted range).
 */
export function planDueFires(input: DueInput): DuePlan {
  const graceMs = input.graceMs ?? DEFAULT_GRACE_MS;
  const maxCatchUp = Math.max(0, input.maxCatchUp ?? DEFAULT_MAX_CATCH_UP);
  const maxListed = Math.max(0, input.maxListed ?? DEFAULT_MAX_LISTED);
  const forward = scanForward(input.schedule, input.after, input.now);
  const due = forward ?? dueTimes(input.schedule, input.after, input.now, graceMs, maxCatchUp + maxListed + 1);
  const next = forward !== null ? forward.next : nextFireTime(input.schedule, input.now);
  const onTime = due.times.filter((time) => input.now.getTime() - time.getTime() <= graceMs);
  const missed = due.times.filter((time) => input.now.getTime() - time.getTime() > graceMs);
  const { fire: caughtUp, reason } = catchUp(input.policy, missed, onTime.length > 0, maxCatchUp);
  const skippedTimes = missed.slice(0, missed.length - caughtUp.length);
  const unlistedCount = Math.max(0, skippedTimes.length - maxListed);
  const listed = skippedTimes.slice(unlistedCount);
  const through = skippedTimes[unlistedCount - 1];
  const unlisted =
    through === undefined ? null : { after: input.after, through, reason, count: unlistedCount, atLeast: due.more };
  return {
    fire: [...caughtUp, ...onTime],
    skipped: listed.map((planned) => ({ planned, reason })),
    skippedUnlisted: unlisted,
    handledThrough: due.times[due.times.length - 1] ?? null,
    next,
  };
}

/** Missed planned times (earliest first) → those to fire; the rest are skipped for `reason`. */
function catchUp(
  policy: MissedFirePolicy,
  missed: Date[],
  anyOnTime: boolean,
  maxCatchUp: number,
): { fire: Date[]; reason: SkipReason } {
  switch (policy) {
    case 'skip':
      return { fire: [], reason: 'missed' };
    case 'run-once':
      return { fire: anyOnTime ? [] : missed.slice(-1), reason: 'run-once' };
    case 'all':
      return { fire: maxCatchUp === 0 ? [] : missed.slice(-maxCatchUp), reason: 'catch-up-limit' };
  }
}

const BATCH = 100;
/** Planned times a forward scan from `after` looks at before it leaves a long downtime to `dueTimes`. */
const FORWARD_LIMIT = 64;
const FORWARD_BATCH = 4;

/**
 * The common case, cheaply: the few planned times in (`after`, `now`] and the next one after
 * `now`, enumerated forward from `after` (a fire loop calls this at each planned time, so there is
 * usually one). Null when there are more than FORWARD_LIMIT (a downtime: counted backward instead).
 */
function scanForward(
  schedule: Schedule,
  after: Date,
  now: Date,
): { times: Date[]; more: false; next: Date | null } | null {
  const times: Date[] = [];
  let cursor = after;
  while (times.length <= FORWARD_LIMIT) {
    const batch = nextFireTimes(schedule, cursor, FORWARD_BATCH);
    for (const time of batch) {
      if (time.getTime() > now.getTime()) return { times, more: false, next: time };
      times.push(time);
    }
    const last = batch[batch.length - 1];
    if (last === undefined || batch.length < FORWARD_BATCH) return { times, more: false, next: null };
    cursor = last;
  }
  return null;
}

/**
 * Planned times in (`after`, `now`], earliest first: every on-time one, plus at most `limit` older
 * ones (the latest); `more` says older ones exist that were not computed.
 */
function dueTimes(
  schedule: Schedule,
  after: Date,
  now: Date,
  graceMs: number,
  limit: number,
): { times: Date[]; more: boolean } {
  const times: Date[] = [];
  let older = 0;
  let atOrBefore = now;
  for (;;) {
    const batch = previousFireTimes(schedule, atOrBefore, BATCH);
    for (const time of batch) {
      if (time.getTime() <= after.getTime()) return { times: times.reverse(), more: false };
      if (now.getTime() - time.getTime() > graceMs) {
        if (older === limit) return { times: times.reverse(), more: true };
        older += 1;
      }
      times.push(time);
    }
    const last = batch[batch.length - 1];
    if (last === undefined || batch.length < BATCH) return { times: times.reverse(), more: false };
    atOrBefore = new Date(last.getTime() - 1);
  }
}
