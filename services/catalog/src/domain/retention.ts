import { optionalInt } from './job.js';

/** Days the runs and logs of a pipeline are kept after a run ended; null: the installation's default. */
export interface Retention {
  runDays: number | null;
  logDays: number | null;
}

export interface RetentionInput {
  runDays?: number | null;
  logDays?: number | null;
}

/** 100 years. */
export const MAX_RETENTION_DAYS = 36_500;

/** A pipeline's retention; null when it sets none (absent, null, or both days null). */
export function validateRetention(value: RetentionInput | null | undefined, field: string): Retention | null {
  if (value === undefined || value === null) return null;
  const runDays = optionalInt(value.runDays, `${field}.runDays`, 'runDays', 1, MAX_RETENTION_DAYS);
  const logDays = optionalInt(value.logDays, `${field}.logDays`, 'logDays', 1, MAX_RETENTION_DAYS);
  return runDays === null && logDays === null ? null : { runDays, logDays };
}
