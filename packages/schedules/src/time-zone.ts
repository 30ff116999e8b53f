import { badInput } from '@fluxi/common';

/** Abbreviations such as EST or CET name an offset, not a place: their DST rules surprise people. */
const ABBREVIATION = /^[A-Z]{3,5}(\d{1,2}[A-Z]{3,4})?$/;
const UNIVERSAL = new Set(['UTC', 'GMT', 'UCT']);

/**
 * A valid IANA time zone in its canonical spelling (`europe/paris` → `Europe/Paris`,
 * `US/Eastern` → `America/New_York`); UTC when absent or empty. Refuses unknown names, raw offsets
 * (`+01:00`) and bare abbreviations (`EST`, `CET`, `EST5EDT`).
 */
export function parseTimeZone(value: string | null | undefined, field = 'timezone'): string {
  if (value === undefined || value === null || value.trim() === '') return 'UTC';
  const name = value.trim();
  if (ABBREVIATION.test(name) && !UNIVERSAL.has(name)) {
    throw badInput(
      `time zone "${name}" is an abbreviation, not a place: use an IANA name such as America/New_York or Europe/Paris`,
      field,
    );
  }
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    throw badInput(`time zone "${name}" is unknown: use an IANA name such as Europe/Paris or UTC`, field);
  }
}

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time at `instant` in `timeZone`. */
export function localFields(instant: Date, timeZone: string): LocalDateTime {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(instant)) parts[part.type] = Number(part.value);
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

const DAY_MS = 86_400_000;

function asUtc(local: LocalDateTime, millisecond = 0): number {
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second, millisecond);
}

/**
 * The instants at which the wall clock of `timeZone` shows `local`: none in a gap (clocks go
 * forward), two in a repeated hour (clocks go back), one otherwise. Earliest first.
 * Assumes at most one offset change within a day of `local`, true of every zone in the database.
 */
export function instantsOf(local: LocalDateTime, timeZone: string, millisecond = 0): Date[] {
  const wall = asUtc(local);
  const offsetAt = (instant: number): number => asUtc(localFields(new Date(instant), timeZone)) - instant;
  const candidates = new Set([wall - offsetAt(wall - DAY_MS), wall - offsetAt(wall + DAY_MS), wall - offsetAt(wall)]);
  return [...candidates]
    .filter((instant) => asUtc(localFields(new Date(instant), timeZone)) === wall)
    .sort((a, b) => a - b)
    .map((instant) => new Date(instant + millisecond));
}
