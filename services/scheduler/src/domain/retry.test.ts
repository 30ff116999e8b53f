import { describe, expect, it } from 'vitest';
import { backoffDelayMs, NO_RETRY_RULE, retryDecision, type RetryRule } from './retry.js';

const rule = (extra: Partial<RetryRule>): RetryRule => ({ ...NO_RETRY_RULE, ...extra });
const failed = (failureClass: 'JOB' | 'TIMEOUT' | 'INFRASTRUCTURE' | 'CANCELLED', exitCode = 1, attempt = 1) => ({
  attempt,
  maxAttempts: 3,
  failureClass,
  exitCode,
});

describe('retryDecision', () => {
  it('retries every failure but a cancellation by default, while attempts are left', () => {
    expect(retryDecision(NO_RETRY_RULE, failed('JOB'))).toEqual({ retry: true });
    expect(retryDecision(NO_RETRY_RULE, failed('TIMEOUT'))).toEqual({ retry: true });
    expect(retryDecision(NO_RETRY_RULE, failed('INFRASTRUCTURE'))).toEqual({ retry: true });
    expect(retryDecision(NO_RETRY_RULE, failed('CANCELLED')).retry).toBe(false);
    expect(retryDecision(NO_RETRY_RULE, failed('JOB', 1, 3))).toEqual({ retry: false, why: 'no attempts left' });
  });

  it('retries only the classes a rule lists (infrastructure only)', () => {
    const infraOnly = rule({ on: ['INFRASTRUCTURE'] });
    expect(retryDecision(infraOnly, failed('INFRASTRUCTURE'))).toEqual({ retry: true });
    const job = retryDecision(infraOnly, failed('JOB'));
    expect(job.retry).toBe(false);
    expect(job.retry === false && job.why).toMatch(/job failures are not retried/);
  });

  it('retries a job failure only for listed exit codes', () => {
    const codes = rule({ exitCodes: [137, 75] });
    expect(retryDecision(codes, failed('JOB', 75))).toEqual({ retry: true });
    const other = retryDecision(codes, failed('JOB', 1));
    expect(other.retry === false && other.why).toMatch(/exit code 1 is not retried/);
    expect(retryDecision(codes, failed('TIMEOUT', -1))).toEqual({ retry: true });
  });
});

describe('backoffDelayMs', () => {
  it('waits the same delay each time when fixed', () => {
    const fixed = rule({ delayMs: 500 });
    expect([1, 2, 3].map((n) => backoffDelayMs(fixed, n, () => 0.5))).toEqual([500, 500, 500]);
  });

  it('doubles the delay each retry up to the cap when exponential', () => {
    const exp = rule({ backoff: 'EXPONENTIAL', delayMs: 100, maxDelayMs: 500 });
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(exp, n, () => 0.5))).toEqual([100, 200, 400, 500, 500]);
  });

  it('draws a delay between 0 and the capped delay with jitter', () => {
    const jittery = rule({ backoff: 'EXPONENTIAL', delayMs: 1000, maxDelayMs: 3000, jitter: true });
    expect(backoffDelayMs(jittery, 3, () => 0)).toBe(0);
    expect(backoffDelayMs(jittery, 3, () => 0.5)).toBe(1500);
    expect(backoffDelayMs(jittery, 1, () => 0.999)).toBe(999);
  });
});
