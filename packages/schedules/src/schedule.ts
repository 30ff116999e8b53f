import { badInput } from '@fluxi/common';
import { compileCron, cronErrorMessage, cronNext } from './cron.js';
import { instantsOf, parseTimeZone } from './time-zone.js';

/** A recurring schedule: a validated cron expression read in an IANA time zone. */
export interface CronSchedule {
  kind: 'cron';
  /** The expression as validated: trimmed, single spaces, macros in lower case. */
  cron: string;
  timezone: string;
  /** Six fields: the first is seconds. */
  hasSeconds: boolean;
}

/** A one-shot schedule: one instant (the time zone is the one it was written in, for display). */
export interface OneShotSchedule {
  kind: 'at';
  at: Date;
  timezone: string;
}

export type Schedule = CronSchedule | OneShotSchedule;

export interface ScheduleInput {
  cron?: string | null;
  /**
   * ISO 8601 date-time: with an offset (`2026-12-01T10:00:00Z`, `…+01:00`) it is that instant;
   * without one (`2026-12-01T10:00`) it is read in `timezone`.
   */
  at?: string | Date | null;
  /** IANA time zone, default UTC. */
  timezone?: string | null;
}

export interface ParseOptions {
  /** The clock: a one-shot must be after it, a cron must fire after it. Default: the real time. */
  now?: Date;
  /** Prefix of the field names in errors (`input` → `input.cron`). */
  path?: string;
  /** Accept a one-shot in the past (re-reading a stored schedule that already fired). */
  allowPast?: boolean;
}

const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Validates a schedule: exactly one of `cron` and `at`, a known time zone, a cron expression that
 * fires at least once after `now`, a one-shot after `now`. Throws BAD_USER_INPUT naming the field.
 */
export function parseSchedule(input: ScheduleInput, options: ParseOptions = {}): Schedule {
  const field = (name: string): string => (options.path ? `${options.path}.${name}` : name);
  const now = options.now ?? new Date();
  const timezone = parseTimeZone(input.timezone, field('timezone'));
  const hasCron = input.cron !== undefined && input.cron !== null;
  const hasAt = input.at !== undefined && input.at !== null;
  if (hasCron === hasAt) {
    throw badInput(
      hasCron ? 'set either cron or at, not both' : 'a schedule needs cron (recurring) or at (one-shot)',
      field(hasCron ? 'at' : 'cron'),
    );
  }
  if (hasCron) return parseCron(input.cron as string, timezone, now, field('cron'));
  const at = parseAt(input.at as string | Date, timezone, field('at'));
  if (!options.allowPast && at.getTime() <= now.getTime()) {
    throw badInput(`at ${at.toISOString()} is in the past (now is ${now.toISOString()})`, field('at'));
  }
  return { kind: 'at', at, timezone };
}

function parseCron(value: string, timezone: string, now: Date, field: string): CronSchedule {
  const cron = value.trim().replace(/\s+/g, ' ');
  const shown = `cron "${value}"`;
  if (cron.startsWith('@')) {
    const macro = cron.toLowerCase();
    if (!MACROS.includes(macro)) {
      throw badInput(`${shown} is invalid: the macros are ${MACROS.join(', ')}`, field);
    }
    return checkFires({ kind: 'cron', cron: macro, timezone, hasSeconds: false }, now, shown, field);
  }
  const count = cron === '' ? 0 : cron.split(' ').length;
  if (count !== 5 && count !== 6) {
    throw badInput(
      `${shown} is invalid: use five fields (minute hour day-of-month month day-of-week), six with seconds first, or a macro such as @daily`,
      field,
    );
  }
  return checkFires({ kind: 'cron', cron, timezone, hasSeconds: count === 6 }, now, shown, field);
}

function checkFires(schedule: CronSchedule, now: Date, shown: string, field: string): CronSchedule {
  let next: Date | undefined;
  try {
    next = cronNext(compileCron(schedule.cron, schedule.timezone), now, 1)[0];
  } catch (error) {
    throw badInput(`${shown} is invalid: ${cronErrorMessage(error)}`, field);
  }
  if (next === undefined) {
    throw badInput(
      `${shown} never fires: no date matches it (such as February 30, or the 31st of a month of 30 days)`,
      field,
    );
  }
  return schedule;
}

function parseAt(value: string | Date, timezone: string, field: string): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw badInput('at is not a valid date', field);
    return value;
  }
  const shown = `at "${value}"`;
  const match = ISO_DATE_TIME.exec(value.trim());
  if (match === null) {
    throw badInput(
      `${shown} is invalid: use an ISO 8601 date-time such as 2026-12-01T10:00:00Z, or 2026-12-01T10:00 read in the time zone`,
      field,
    );
  }
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millisecond = Number(((match[7] ?? '') + '000').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw badInput(`${shown} is invalid: no such date or time`, field);
  }
  const offset = match[8];
  if (offset !== undefined && Math.abs(offsetMs(offset)) > 14 * 3_600_000) {
    throw badInput(`${shown} is invalid: offsets go from -14:00 to +14:00`, field);
  }
  if (offset !== undefined)
    return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - offsetMs(offset));
  const instants = instantsOf({ year, month, day, hour, minute, second }, timezone, millisecond);
  const first = instants[0];
  if (first === undefined) {
    throw badInput(`${shown} does not exist in ${timezone}: the clocks go forward over it`, field);
  }
  return first;
}

function offsetMs(offset: string): number {
  if (offset.toUpperCase() === 'Z') return 0;
  const digits = offset.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * 60_000;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
