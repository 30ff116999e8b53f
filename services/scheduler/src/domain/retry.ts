import type { FailureClassName } from './status.js';

/** When and how a failed attempt is tried again (the frozen JobSpec.retry). */
export interface RetryRule {
  /** Failure classes that are retried; empty = JOB, TIMEOUT and INFRASTRUCTURE. */
  readonly on: readonly FailureClassName[];
  /** When non-empty, a JOB failure is retried only for these exit codes. */
  readonly exitCodes: readonly number[];
  readonly backoff: 'FIXED' | 'EXPONENTIAL';
  readonly delayMs: number;
  /** 0 = no cap. */
  readonly maxDelayMs: number;
  readonly jitter: boolean;
}

export const NO_RETRY_RULE: RetryRule = {
  on: [],
  exitCodes: [],
  backoff: 'FIXED',
  delayMs: 0,
  maxDelayMs: 0,
  jitter: false,
};

const RETRIED_BY_DEFAULT: readonly FailureClassName[] = ['JOB', 'TIMEOUT', 'INFRASTRUCTURE'];

export interface FailedAttempt {
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly failureClass: FailureClassName | null;
  readonly exitCode: number | null;
}

/**
 * Whether a failed attempt is tried again: attempts are left, the failure is of a
 * class the rule retries (never a cancellation), and for a JOB failure, its exit code
 * is one the rule lists (when it lists any). Returns why not, for the job run's reason.
 */
export function retryDecision(rule: RetryRule, failed: FailedAttempt): { retry: true } | { retry: false; why: string } {
  if (failed.attempt >= failed.maxAttempts) return { retry: false, why: 'no attempts left' };
  const failureClass = failed.failureClass ?? 'JOB';
  if (failureClass === 'CANCELLED') return { retry: false, why: 'cancelled' };
  const retried = rule.on.length > 0 ? rule.on : RETRIED_BY_DEFAULT;
  if (!retried.includes(failureClass)) {
    return {
      retry: false,
      why: `${failureClass.toLowerCase()} failures are not retried (retry.on: ${retried.join(', ')})`,
    };
  }
  if (failureClass === 'JOB' && rule.exitCodes.length > 0 && !rule.exitCodes.includes(failed.exitCode ?? -1)) {
    return {
      retry: false,
      why: `exit code ${failed.exitCode ?? -1} is not retried (retry.exitCodes: ${rule.exitCodes.join(', ')})`,
    };
  }
  return { retry: true };
}

/**
 * Delay before retry number `retry` (1 for the second attempt). Fixed: `delayMs`.
 * Exponential: `delayMs * 2^(retry-1)`. Both capped at `maxDelayMs` when set; with
 * jitter, a uniformly random delay between 0 and that ("full jitter"). `random` in [0, 1).
 */
export function backoffDelayMs(rule: RetryRule, retry: number, random: () => number): number {
  const exponent = Math.max(0, retry - 1);
  const base = rule.backoff === 'EXPONENTIAL' ? rule.delayMs * 2 ** Math.min(exponent, 30) : rule.delayMs;
  const capped = rule.maxDelayMs > 0 ? Math.min(base, rule.maxDelayMs) : base;
  return Math.round(rule.jitter ? capped * random() : capped);
}
