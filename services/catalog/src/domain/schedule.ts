import { CronExpressionParser } from 'cron-parser';
import { badInput } from '@fluxi/common';
import { quote, requireName } from './names.js';

/** A stored trigger of a pipeline: a cron expression or one instant, in a time zone. */
export interface ScheduleDefinition {
  name: string;
  pipelineId: string;
  /** Five-field cron expression (or @hourly, @daily, ...); null when `at` is set. */
  cron: string | null;
  /** One instant; null when `cron` is set. */
  at: Date | null;
  /** IANA time zone the cron expression is read in. */
  timezone: string;
  enabled: boolean;
}

export interface Schedule extends ScheduleDefinition {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScheduleInput {
  name?: string | null;
  pipelineId?: string | null;
  cron?: string | null;
  /** ISO 8601 timestamp with a time zone offset (`2026-12-01T10:00:00Z`). */
  at?: string | null;
  timezone?: string | null;
  enabled?: boolean | null;
}

const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly'];
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Validates a schedule (the pipeline's existence is the store's business).
 * Throws BAD_USER_INPUT with the field path of the first fault.
 */
export function validateSchedule(input: ScheduleInput, path = 'input'): ScheduleDefinition {
  const name = requireName(input.name, 'schedule name', `${path}.name`);
  const pipelineId = input.pipelineId ?? '';
  if (pipelineId === '') throw badInput('pipelineId is required', `${path}.pipelineId`);
  const timezone = timeZone(input.timezone, `${path}.timezone`);
  const hasCron = input.cron !== undefined && input.cron !== null;
  const hasAt = input.at !== undefined && input.at !== null;
  if (hasCron === hasAt) {
    throw badInput(
      hasCron ? 'set either cron or at, not both (set the other to null)' : 'a schedule needs cron or at',
      `${path}.${hasCron ? 'at' : 'cron'}`,
    );
  }
  return {
    name,
    pipelineId,
    cron: hasCron ? cron(input.cron as string, timezone, `${path}.cron`) : null,
    at: hasAt ? instant(input.at as string, `${path}.at`) : null,
    timezone,
    enabled: input.enabled ?? true,
  };
}

/** Applies a partial update (absent keeps, null clears or resets), then validates. */
export function applySchedulePatch(
  current: ScheduleDefinition,
  patch: ScheduleInput,
  path = 'input',
): ScheduleDefinition {
  const merged: ScheduleInput = { ...current, at: current.at?.toISOString() ?? null };
  for (const [key, value] of Object.entries(patch) as [keyof ScheduleInput, unknown][]) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return validateSchedule(merged, path);
}

function cron(value: string, timezone: string, field: string): string {
  const expression = value.trim().replace(/\s+/g, ' ');
  const isMacro = expression.startsWith('@');
  if (isMacro ? !MACROS.includes(expression) : expression.split(' ').length !== 5) {
    throw badInput(
      `cron ${quote(value)} is invalid: use five fields (minute hour day-of-month month day-of-week) or one of ${MACROS.join(', ')}`,
      field,
    );
  }
  try {
    CronExpressionParser.parse(expression, { tz: timezone }).next();
  } catch (error) {
    throw badInput(`cron ${quote(value)} is invalid: ${(error as Error).message}`, field);
  }
  return expression;
}

function instant(value: string, field: string): Date {
  const date = new Date(value);
  if (!ISO_INSTANT.test(value) || Number.isNaN(date.getTime()) || !isCalendarDate(value)) {
    throw badInput(
      `at ${quote(value)} is invalid: use an ISO 8601 time with an offset, like 2026-12-01T10:00:00Z`,
      field,
    );
  }
  return date;
}

/** `Date` rolls 2026-02-30 over to March: check the day against the month. */
function isCalendarDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A valid IANA time zone, in its canonical spelling; UTC by default. */
function timeZone(value: string | null | undefined, field: string): string {
  if (value === undefined || value === null || value === '') return 'UTC';
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw badInput(`time zone ${quote(value)} is unknown: use an IANA name such as Europe/Paris or UTC`, field);
  }
}
