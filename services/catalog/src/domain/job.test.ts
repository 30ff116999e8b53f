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
      allowFailureExitCodes: [],
      retry: { on: [], exitCodes: [], backoff: 'FIXED', delayMs: 0, maxDelayMs: null, jitter: false },
      artifacts: [],
      pool: 'default',
      tags: [],
      maxConcurrent: null,
      docker: { pullPolicy: 'IF_NOT_PRESENT', cpus: null, memoryMiB: null, entrypoint: [], keepOnFailure: false },
      checkout: false,
      secrets: [],
    });
  });

  it('keeps pool, tags, maxConcurrent and docker options', () => {
    const job = validateJob({
      name: 'gpu',
      command: 'train',
      image: 'cuda:12',
      pool: 'linux-docker',
      tags: ['gpu', 'arm64'],
      maxConcurrent: 2,
      docker: { pullPolicy: 'NEVER', cpus: 0.5, memoryMiB: 4, entrypoint: ['/bin/bash', '-c'], keepOnFailure: true },
    });
    expect(job).toMatchObject({
      pool: 'linux-docker',
      tags: ['gpu', 'arm64'],
      maxConcurrent: 2,
      docker: { pullPolicy: 'NEVER', cpus: 0.5, memoryMiB: 4, entrypoint: ['/bin/bash', '-c'], keepOnFailure: true },
    });
    expect(validateJob({ name: 'a', command: 'x', pool: '', tags: null })).toMatchObject({ pool: 'default', tags: [] });
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
    [{ name: 'a', command: 'x', pool: 'Linux' }, 'input.pool', /pool "Linux" is invalid: use 1-63 lowercase/],
    [{ name: 'a', command: 'x', pool: 'a--b' }, 'input.pool', /single "-" between them/],
    [{ name: 'a', command: 'x', tags: ['gpu', 'GPU'] }, 'input.tags[1]', /tag "GPU" is invalid/],
    [{ name: 'a', command: 'x', tags: ['gpu', 'gpu'] }, 'input.tags[1]', /tag "gpu" is listed twice/],
    [{ name: 'a', command: 'x', tags: 'abcdefghijklmnopq'.split('') }, 'input.tags', /at most 16 tags, got 17/],
    [
      { name: 'a', command: 'x', maxConcurrent: 0 },
      'input.maxConcurrent',
      /maxConcurrent must be a whole number from 1/,
    ],
    [{ name: 'a', command: 'x', docker: { cpus: 1 } }, 'input.docker', /docker options apply to a job with an image/],
    [
      { name: 'a', command: 'x', image: 'i', docker: { cpus: 0 } },
      'input.docker.cpus',
      /above 0 and at most 256, got 0/,
    ],
    [{ name: 'a', command: 'x', image: 'i', docker: { cpus: 257 } }, 'input.docker.cpus', /at most 256, got 257/],
    [{ name: 'a', command: 'x', image: 'i', docker: { memoryMiB: 3 } }, 'input.docker.memoryMiB', /from 4 to/],
    [{ name: 'a', command: 'x', image: 'i', docker: { memoryMiB: 4.5 } }, 'input.docker.memoryMiB', /whole number/],
    [
      { name: 'a', command: 'x', image: 'i', docker: { pullPolicy: 'SOMETIMES' } },
      'input.docker.pullPolicy',
      /use one of IF_NOT_PRESENT, ALWAYS, NEVER/,
    ],
    [
      { name: 'a', command: 'x', image: 'i', docker: { entrypoint: ['sh', ''] } },
      'input.docker.entrypoint[1]',
      /must not be empty/,
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

  it('replaces docker options whole, and refuses dropping the image while they are set', () => {
    const docked = applyJobPatch(current, { docker: { memoryMiB: 256, keepOnFailure: true } });
    expect(docked.docker).toEqual({
      pullPolicy: 'IF_NOT_PRESENT',
      cpus: null,
      memoryMiB: 256,
      entrypoint: [],
      keepOnFailure: true,
    });
    expect(applyJobPatch(docked, { docker: { cpus: 2 } }).docker).toMatchObject({ cpus: 2, memoryMiB: null });
    expect(fluxiErrorOf(() => applyJobPatch(docked, { image: null })).field).toBe('input.docker');
    expect(applyJobPatch(docked, { image: null, docker: null, tags: ['gpu'] })).toMatchObject({
      image: null,
      tags: ['gpu'],
    });
  });

  it('refuses clearing a required field', () => {
    const error = fluxiErrorOf(() => applyJobPatch(current, { command: null }));
    expect(error.field).toBe('input.command');
  });
});
