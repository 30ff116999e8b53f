import { describe, expect, it } from 'vitest';
import { FluxiError } from '@fluxi/common';
import { applyJobPatch, validateJob } from './job.js';

/** The FluxiError `fn` throws. */
function fluxiErrorOf(fn: () => unknown): FluxiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FluxiError) return error;
    throw error;
  }
  throw new Error('expected a FluxiError, nothing was thrown');
}

describe('validateJob', () => {
  it('applies the defaults', () => {
    expect(validateJob({ name: 'build', command: 'make' })).toEqual({
      name: 'build',
      command: 'make',
      image: null,
      env: [],
      workdir: null,
      timeoutSec: null,
      maxAttempts: 1,
      allowFailure: false,
      retry: { on: [], exitCodes: [], backoff: 'FIXED', delayMs: 0, maxDelayMs: null, jitter: false },
      artifacts: [],
    });
  });

  it('keeps every field it is given', () => {
    const job = validateJob({
      name: 'test.unit-1_a',
      command: 'npm test',
      image: 'node:20',
      env: [
        { name: 'CI', value: 'true' },
        { name: '_X1', value: '' },
      ],
      workdir: '/src',
      timeoutSec: 604_800,
      maxAttempts: 10,
      allowFailure: true,
    });
    expect(job).toMatchObject({
      image: 'node:20',
      workdir: '/src',
      timeoutSec: 604_800,
      maxAttempts: 10,
      allowFailure: true,
    });
    expect(job.env).toEqual([
      { name: 'CI', value: 'true' },
      { name: '_X1', value: '' },
    ]);
  });

  it.each([
    [{ command: 'x' }, 'input.name', /job name is required/],
    [{ name: 'has space', command: 'x' }, 'input.name', /letters, digits/],
    [{ name: '-lead', command: 'x' }, 'input.name', /starting with a letter or a digit/],
    [{ name: 'x'.repeat(101), command: 'x' }, 'input.name', /1-100 characters/],
    [{ name: 'a', command: '  ' }, 'input.command', /command is required/],
    [{ name: 'a', command: 'x', image: 'node 20' }, 'input.image', /whitespace/],
    [{ name: 'a', command: 'x', timeoutSec: 0 }, 'input.timeoutSec', /1 to 604800/],
    [{ name: 'a', command: 'x', timeoutSec: 604_801 }, 'input.timeoutSec', /1 to 604800/],
    [{ name: 'a', command: 'x', maxAttempts: 11 }, 'input.maxAttempts', /1 to 10/],
    [{ name: 'a', command: 'x', maxAttempts: 1.5 }, 'input.maxAttempts', /whole number/],
    [{ name: 'a', command: 'x', env: [{ name: '1A', value: '' }] }, 'input.env[0].name', /shell identifier/],
    [{ name: 'a', command: 'x', env: [{ name: 'A-B', value: '' }] }, 'input.env[0].name', /shell identifier/],
    [
      {
        name: 'a',
        command: 'x',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '' },
          { name: 'A', value: '2' },
        ],
      },
      'input.env[2].name',
      /A is set twice \(env\[0\] and env\[2\]\)/,
    ],
  ])('refuses %j at %s', (input, field, message) => {
    const error = fluxiErrorOf(() => validateJob(input));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('treats an empty image or workdir as none', () => {
    expect(validateJob({ name: 'a', command: 'x', image: '', workdir: '' })).toMatchObject({
      image: null,
      workdir: null,
    });
  });
});

describe('applyJobPatch', () => {
  const current = validateJob({ name: 'build', command: 'make', image: 'gcc', timeoutSec: 60, maxAttempts: 3 });

  it('keeps absent fields and clears null ones', () => {
    const job = applyJobPatch(current, { command: 'make all', image: null, maxAttempts: null });
    expect(job).toMatchObject({ name: 'build', command: 'make all', image: null, timeoutSec: 60, maxAttempts: 1 });
  });

  it('refuses clearing a required field', () => {
    const error = fluxiErrorOf(() => applyJobPatch(current, { command: null }));
    expect(error.field).toBe('input.command');
  });
});
