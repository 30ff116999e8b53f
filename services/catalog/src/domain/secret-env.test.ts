import { describe, expect, it } from 'vitest';
import { FluxiError, generateSecretKey, SecretKeyRing } from '@fluxi/common';
import { readDefinitions } from './as-code/check.js';
import { definitionsToYaml } from './as-code/to-yaml.js';
import { planChanges } from './as-code/plan.js';
import { defaultDocker } from './docker.js';
import { applyJobPatch, validateJob, type Job, type JobDefinition } from './job.js';
import { DEFAULT_RETRY } from './retry.js';
import {
  envAnswer,
  openSecretEnvValue,
  pickSecretEnv,
  sealEnv,
  secretEnvSealContext,
  type SecretEnvVar,
} from './secret-env.js';
import { jobSpec } from './snapshot.js';

const VALUE = 'tok-Secret-0123456789';

function fluxiErrorOf(fn: () => unknown): FluxiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FluxiError) return error;
    throw error;
  }
  throw new Error('expected a FluxiError, nothing was thrown');
}

const job = (definition: JobDefinition, id = 'J1'): Job => ({
  ...definition,
  id,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

/** The job as the store would hold it: secret values sealed for `id`. */
function stored(definition: JobDefinition, keys: SecretKeyRing, id = 'J1'): Job {
  return job({ ...definition, env: sealEnv(definition.env, id, keys, id) }, id);
}

describe('secret environment variables', () => {
  const keys = SecretKeyRing.fromConfig(generateSecretKey());
  const input = {
    name: 'deploy',
    command: 'deploy',
    env: [
      { name: 'REGION', value: 'eu' },
      { name: 'TOKEN', value: VALUE, secret: true },
    ],
  };

  it('validate the value like a secret: 4+ characters, not blank, no NUL', () => {
    expect(validateJob(input).env).toEqual([
      { name: 'REGION', value: 'eu' },
      { name: 'TOKEN', secret: true, value: VALUE },
    ]);
    for (const [value, message] of [
      ['abc', /value of TOKEN \(secret\) must be at least 4 characters/],
      ['    ', /must not be blank/],
      ['ab\0cd', /must not contain NUL/],
      ['', /at least 4 characters/],
    ] as const) {
      const error = fluxiErrorOf(() => validateJob({ ...input, env: [{ name: 'TOKEN', value, secret: true }] }));
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.env[0].value' });
      expect(error.message).toMatch(message);
    }
  });

  it('need a value when nothing is stored, except from a file (left unset)', () => {
    const without = { ...input, env: [{ name: 'TOKEN', secret: true }] };
    expect(fluxiErrorOf(() => validateJob(without))).toMatchObject({ field: 'input.env[0].value' });
    expect(validateJob(without, 'input', { unsetSecretEnv: true }).env).toEqual([{ name: 'TOKEN', secret: true }]);
  });

  it('seal the value with the job id and name bound in, and open it back for that job only', () => {
    const saved = stored(validateJob(input), keys);
    const token = saved.env[1] as SecretEnvVar;
    expect(token).toEqual({ name: 'TOKEN', secret: true, sealed: expect.stringMatching(/^v1:/) });
    expect(JSON.stringify(saved.env)).not.toContain(VALUE);
    expect(openSecretEnvValue(keys, 'J1', token)).toBe(VALUE);
    expect(keys.open(token.sealed as string, secretEnvSealContext('J1', 'TOKEN')).plaintext).toBe(VALUE);
    expect(fluxiErrorOf(() => openSecretEnvValue(keys, 'J2', token))).toMatchObject({ code: 'INTERNAL' });
    const other = SecretKeyRing.fromConfig(generateSecretKey());
    expect(fluxiErrorOf(() => openSecretEnvValue(other, 'J1', token)).message).toMatch(/set it again/);
    expect(
      fluxiErrorOf(() => openSecretEnvValue(keys, 'J1', { name: 'TOKEN', secret: true, sealed: null })),
    ).toMatchObject({ code: 'NOT_FOUND', field: 'TOKEN' });
  });

  it('re-seal a copy for its own id', () => {
    const saved = stored(validateJob(input), keys);
    const copied = sealEnv(validateJob({ ...input, env: saved.env }).env, 'J2', keys, 'J1');
    const token = copied[1] as SecretEnvVar;
    expect(token.sealed).not.toBe((saved.env[1] as SecretEnvVar).sealed);
    expect(openSecretEnvValue(keys, 'J2', token)).toBe(VALUE);
  });

  it('keep the stored value on an update that sends the entry without one, and take a new one', () => {
    const saved = stored(validateJob(input), keys);
    const sealed = (saved.env[1] as SecretEnvVar).sealed;
    const untouched = applyJobPatch(saved, { command: 'deploy --all' });
    expect(untouched.env[1]).toEqual({ name: 'TOKEN', secret: true, sealed });
    const kept = applyJobPatch(saved, {
      env: [
        { name: 'TOKEN', secret: true },
        { name: 'REGION', value: 'us' },
      ],
    });
    expect(kept.env).toEqual([
      { name: 'TOKEN', secret: true, sealed },
      { name: 'REGION', value: 'us' },
    ]);
    const replaced = applyJobPatch(saved, { env: [{ name: 'TOKEN', secret: true, value: 'new-value-42' }] });
    expect(replaced.env).toEqual([{ name: 'TOKEN', secret: true, value: 'new-value-42' }]);
    // A plain variable marked secret needs its value: the plain one is not carried over.
    expect(fluxiErrorOf(() => applyJobPatch(saved, { env: [{ name: 'REGION', secret: true }] }))).toMatchObject({
      field: 'input.env[0].value',
    });
  });

  it('never answer the value to an API, sealed or not', () => {
    const saved = stored(validateJob(input), keys);
    expect(saved.env.map(envAnswer)).toEqual([
      { name: 'REGION', value: 'eu', secret: false },
      { name: 'TOKEN', value: null, secret: true },
    ]);
    expect(validateJob(input).env.map(envAnswer)[1]).toEqual({ name: 'TOKEN', value: null, secret: true });
  });

  it('are in a snapshot by name only', () => {
    const spec = jobSpec({
      ...stored(validateJob(input), keys),
      docker: defaultDocker(),
      retry: { ...DEFAULT_RETRY, on: [], exitCodes: [] },
    });
    expect(spec.env).toEqual({ REGION: 'eu' });
    expect(spec.secretEnvNames).toEqual(['TOKEN']);
    expect(JSON.stringify(spec)).not.toContain('v1:');
  });

  it('are picked for an attempt only while the job still marks them secret', () => {
    const saved = stored(validateJob(input), keys);
    expect(pickSecretEnv(saved, ['TOKEN']).map((entry) => entry.name)).toEqual(['TOKEN']);
    expect(fluxiErrorOf(() => pickSecretEnv(saved, ['REGION']))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'REGION',
    });
    expect(fluxiErrorOf(() => pickSecretEnv(saved, ['GONE'])).message).toMatch(/no secret environment variable GONE/);
  });

  it('are exported without their value, and an import of the export keeps the stored one', () => {
    const saved = stored(validateJob(input), keys);
    const yaml = definitionsToYaml({ jobs: new Map([['deploy', saved]]), pipelines: new Map(), schedules: new Map() });
    expect(yaml).not.toContain(VALUE);
    expect(yaml).not.toContain('v1:');
    expect(yaml).toContain('TOKEN:\n        secret: true');
    const read = readDefinitions(yaml, { jobs: new Set(), pipelines: new Set() });
    if (!read.ok) throw new Error(JSON.stringify(read.problems));
    expect(read.definitions.jobs.get('deploy')?.env[1]).toEqual({ name: 'TOKEN', secret: true });
    const current = { jobs: new Map([['deploy', saved as JobDefinition]]), pipelines: new Map(), schedules: new Map() };
    expect(planChanges(read.definitions, current)).toEqual([
      { kind: 'job', name: 'deploy', action: 'unchanged', fields: [] },
    ]);
    const withValue = yaml.replace('secret: true', `secret: true\n        value: "${VALUE}"`);
    const again = readDefinitions(withValue, { jobs: new Set(), pipelines: new Set() });
    if (!again.ok) throw new Error(JSON.stringify(again.problems));
    expect(planChanges(again.definitions, current)).toMatchObject([{ action: 'update', fields: ['env'] }]);
  });

  it('refuse a malformed entry in a file with a message saying how it is written', () => {
    const text = 'version: 1\njobs:\n  deploy:\n    command: x\n    env: { TOKEN: { secret: false } }\n';
    const read = readDefinitions(text, { jobs: new Set(), pipelines: new Set() });
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.problems[0]?.message).toMatch(/secret environment variable is written \{ secret: true \}/);
  });
});
