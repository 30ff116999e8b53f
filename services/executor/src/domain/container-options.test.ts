import { describe, expect, it } from 'vitest';
import { DockerOptionsSchema, PullPolicy, create } from '@fluxi/contracts';
import { containerOptions } from './container-options.js';

describe('containerOptions', () => {
  it('gives a job without docker options the defaults', () => {
    expect(containerOptions(undefined)).toEqual({
      pullPolicy: 'if-not-present',
      cpus: 0,
      memoryMib: 0,
      entrypoint: [],
      keepOnFailure: false,
    });
  });

  it('names each pull policy, unspecified being if-not-present', () => {
    const policy = (pullPolicy: PullPolicy) => containerOptions(create(DockerOptionsSchema, { pullPolicy })).pullPolicy;
    expect(policy(PullPolicy.UNSPECIFIED)).toBe('if-not-present');
    expect(policy(PullPolicy.IF_NOT_PRESENT)).toBe('if-not-present');
    expect(policy(PullPolicy.ALWAYS)).toBe('always');
    expect(policy(PullPolicy.NEVER)).toBe('never');
    expect(policy(42 as PullPolicy)).toBe('if-not-present');
  });

  it('keeps limits, entrypoint and keep on failure; a CPU count that is not a positive number is no limit', () => {
    const options = containerOptions(
      create(DockerOptionsSchema, { cpus: 1.5, memoryMib: 64, entrypoint: ['/bin/bash', '-c'], keepOnFailure: true }),
    );
    expect(options).toMatchObject({ cpus: 1.5, memoryMib: 64, entrypoint: ['/bin/bash', '-c'], keepOnFailure: true });
    expect(containerOptions(create(DockerOptionsSchema, { cpus: Number.NaN })).cpus).toBe(0);
    expect(containerOptions(create(DockerOptionsSchema, { cpus: -1 })).cpus).toBe(0);
  });
});
