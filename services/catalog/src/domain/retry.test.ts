import { describe, expect, it } from 'vitest';
import { FluxiError } from '@fluxi/common';
import { validateArtifacts } from './artifacts.js';
import { DEFAULT_RETRY, retryInput, validateRetry, type RetryPolicyInput } from './retry.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof FluxiError && error.code === 'BAD_USER_INPUT') return error.field;
    throw error;
  }
  throw new Error('expected a FluxiError, nothing was thrown');
}

const retry = (input: RetryPolicyInput) => validateRetry(input, 'input.retry');

describe('validateRetry', () => {
  it('defaults to retrying every class, at once, without jitter', () => {
    expect(validateRetry(null, 'r')).toEqual(DEFAULT_RETRY);
    expect(retry({})).toEqual(DEFAULT_RETRY);
  });

  it('stores delays in milliseconds and gives them back in seconds', () => {
    const policy = retry({
      on: ['JOB', 'INFRASTRUCTURE'],
      exitCodes: [137, 1],
      backoff: 'EXPONENTIAL',
      delaySec: 1.5,
      maxDelaySec: 30,
      jitter: true,
    });
    expect(policy).toEqual({
      on: ['JOB', 'INFRASTRUCTURE'],
      exitCodes: [137, 1],
      backoff: 'EXPONENTIAL',
      delayMs: 1500,
      maxDelayMs: 30_000,
      jitter: true,
    });
    expect(retryInput(policy)).toMatchObject({ delaySec: 1.5, maxDelaySec: 30 });
    expect(retry({ delaySec: 0.0004 }).delayMs).toBe(0);
  });

  it('names the field of each fault', () => {
    expect(fieldOf(() => retry({ on: ['JOB', 'CANCELLED'] }))).toBe('input.retry.on[1]');
    expect(fieldOf(() => retry({ on: ['JOB', 'JOB'] }))).toBe('input.retry.on[1]');
    expect(fieldOf(() => retry({ exitCodes: [0, 256] }))).toBe('input.retry.exitCodes[1]');
    expect(fieldOf(() => retry({ exitCodes: [1.5] }))).toBe('input.retry.exitCodes[0]');
    expect(fieldOf(() => retry({ on: ['TIMEOUT'], exitCodes: [1] }))).toBe('input.retry.exitCodes');
    expect(fieldOf(() => retry({ backoff: 'LINEAR' }))).toBe('input.retry.backoff');
    expect(fieldOf(() => retry({ delaySec: -1 }))).toBe('input.retry.delaySec');
    expect(fieldOf(() => retry({ delaySec: 86_401 }))).toBe('input.retry.delaySec');
    expect(fieldOf(() => retry({ delaySec: 10, maxDelaySec: 5 }))).toBe('input.retry.maxDelaySec');
  });
});

describe('validateArtifacts', () => {
  it('keeps relative globs', () => {
    expect(validateArtifacts(['dist/**', './coverage/lcov.info', 'a..b/*.log'], 'a')).toEqual([
      'dist/**',
      './coverage/lcov.info',
      'a..b/*.log',
    ]);
    expect(validateArtifacts(undefined, 'a')).toEqual([]);
  });

  it('refuses absolute paths, .. segments, blanks, repeats and more than 100 paths', () => {
    const field = (paths: string[]) => fieldOf(() => validateArtifacts(paths, 'input.artifacts'));
    expect(field(['ok', '/etc/passwd'])).toBe('input.artifacts[1]');
    expect(field(['C:\\x'])).toBe('input.artifacts[0]');
    expect(field(['dist/../../secrets'])).toBe('input.artifacts[0]');
    expect(field(['..'])).toBe('input.artifacts[0]');
    expect(field([' '])).toBe('input.artifacts[0]');
    expect(field(['a', 'a'])).toBe('input.artifacts[1]');
    expect(field(Array.from({ length: 101 }, (_, i) => `f${i}`))).toBe('input.artifacts');
  });
});
