import { badInput } from '@fluxi/common';
import { quote } from './names.js';

export const RETRY_ON = ['JOB', 'TIMEOUT', 'INFRASTRUCTURE'] as const;
export type RetryOn = (typeof RETRY_ON)[number];
export const BACKOFF_KINDS = ['FIXED', 'EXPONENTIAL'] as const;
export type BackoffKind = (typeof BACKOFF_KINDS)[number];

/** When and how a failed attempt is tried again (up to the job's maxAttempts). */
export interface RetryPolicy {
  /** Failure classes retried; empty means all of them. */
  on: RetryOn[];
  /** When set, a JOB failure is retried only for these exit codes. */
  exitCodes: number[];
  backoff: BackoffKind;
  /** Delay before a retry, in milliseconds. */
  delayMs: number;
  /** Upper bound of one delay, in milliseconds; null: no cap. */
  maxDelayMs: number | null;
  jitter: boolean;
}

/** Retry input as a client sends it (delays in seconds, fractions allowed). */
export interface RetryPolicyInput {
  on?: ReadonlyArray<string> | null;
  exitCodes?: ReadonlyArray<number> | null;
  backoff?: string | null;
  delaySec?: number | null;
  maxDelaySec?: number | null;
  jitter?: boolean | null;
}

export const MAX_DELAY_SEC = 86_400;

export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({
  on: [],
  exitCodes: [],
  backoff: 'FIXED',
  delayMs: 0,
  maxDelayMs: null,
  jitter: false,
});

/** The input form of a stored policy (delays back in seconds). */
export function retryInput(policy: RetryPolicy): RetryPolicyInput {
  return {
    on: [...policy.on],
    exitCodes: [...policy.exitCodes],
    backoff: policy.backoff,
    delaySec: policy.delayMs / 1000,
    maxDelaySec: policy.maxDelayMs === null ? null : policy.maxDelayMs / 1000,
    jitter: policy.jitter,
  };
}

/** Validates a retry policy (null: the default, retry nothing special). Field paths under `field`. */
export function validateRetry(input: RetryPolicyInput | null | undefined, field: string): RetryPolicy {
  if (input === undefined || input === null) return { ...DEFAULT_RETRY, on: [], exitCodes: [] };
  const on = distinct(input.on ?? [], `${field}.on`, (value, at) => {
    if (!(RETRY_ON as readonly string[]).includes(value)) {
      throw badInput(`retry on ${quote(value)} is invalid: use one of ${RETRY_ON.join(', ')}`, at);
    }
    return value as RetryOn;
  });
  const exitCodes = distinct(input.exitCodes ?? [], `${field}.exitCodes`, (value, at) => {
    if (!Number.isInteger(value) || value < 0 || value > 255) {
      throw badInput(`exit code must be a whole number from 0 to 255, got ${value}`, at);
    }
    return value;
  });
  if (exitCodes.length > 0 && on.length > 0 && !on.includes('JOB')) {
    throw badInput(
      'exitCodes only apply to JOB failures: add JOB to retry on, or remove exitCodes',
      `${field}.exitCodes`,
    );
  }
  const backoff = input.backoff ?? 'FIXED';
  if (!(BACKOFF_KINDS as readonly string[]).includes(backoff)) {
    throw badInput(`backoff ${quote(backoff)} is invalid: use one of ${BACKOFF_KINDS.join(', ')}`, `${field}.backoff`);
  }
  const delayMs = delay(input.delaySec, `${field}.delaySec`, 'delaySec') ?? 0;
  const maxDelayMs = delay(input.maxDelaySec, `${field}.maxDelaySec`, 'maxDelaySec');
  if (maxDelayMs !== null && maxDelayMs < delayMs) {
    throw badInput(
      `maxDelaySec (${maxDelayMs / 1000}) must not be less than delaySec (${delayMs / 1000})`,
      `${field}.maxDelaySec`,
    );
  }
  return { on, exitCodes, backoff: backoff as BackoffKind, delayMs, maxDelayMs, jitter: input.jitter ?? false };
}

/** Seconds (fractions allowed) → whole milliseconds; null when absent. */
function delay(value: number | null | undefined, field: string, what: string): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isFinite(value) || value < 0 || value > MAX_DELAY_SEC) {
    throw badInput(`${what} must be a number of seconds from 0 to ${MAX_DELAY_SEC}, got ${value}`, field);
  }
  return Math.round(value * 1000);
}

/** Maps a list through `check`, refusing repeated values with the index of the repeat. */
function distinct<T, U>(values: ReadonlyArray<T>, field: string, check: (value: T, at: string) => U): U[] {
  const out: U[] = [];
  values.forEach((value, index) => {
    const at = `${field}[${index}]`;
    const checked = check(value, at);
    if (out.includes(checked)) throw badInput(`${quote(value)} is listed twice`, at);
    out.push(checked);
  });
  return out;
}
