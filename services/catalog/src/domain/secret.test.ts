import { describe, expect, it } from 'vitest';
import { isFluxiError } from '@fluxi/common';
import { pickSecrets, validateJobSecrets, validateSecret } from './secret.js';

function fault(fn: () => unknown): { message: string; field: string | undefined; code: string } {
  try {
    fn();
  } catch (error) {
    if (isFluxiError(error)) return { message: error.message, field: error.field, code: error.code };
    throw error;
  }
  throw new Error('expected a FluxiError');
}

describe('validateSecret', () => {
  it('keeps a valid secret, global when no pipeline is given', () => {
    expect(validateSecret({ name: 'DEPLOY_TOKEN', value: 'abcd' })).toEqual({
      name: 'DEPLOY_TOKEN',
      value: 'abcd',
      pipelineId: null,
    });
    expect(validateSecret({ name: '_x1', value: 'line1\nline2', pipelineId: 'P1' }).pipelineId).toBe('P1');
  });

  it('refuses bad names and values with the field at fault', () => {
    expect(fault(() => validateSecret({ name: '9LIVES', value: 'abcd' }))).toMatchObject({
      field: 'input.name',
      code: 'BAD_USER_INPUT',
    });
    expect(fault(() => validateSecret({ name: 'A-B', value: 'abcd' })).message).toMatch(/shell identifier/);
    expect(fault(() => validateSecret({ name: 'A', value: 'abc' }))).toMatchObject({
      field: 'input.value',
      message: expect.stringMatching(/at least 4 characters/) as unknown,
    });
    expect(fault(() => validateSecret({ name: 'A', value: 'ab\0cd' })).field).toBe('input.value');
    expect(fault(() => validateSecret({ name: 'A', value: '     ' })).field).toBe('input.value');
  });
});

describe('validateJobSecrets', () => {
  it('accepts distinct names and refuses duplicates, bad names and env clashes by index', () => {
    expect(validateJobSecrets(['A', 'B'], new Set(), 'input.secrets')).toEqual(['A', 'B']);
    expect(validateJobSecrets(undefined, new Set(), 'input.secrets')).toEqual([]);
    expect(fault(() => validateJobSecrets(['A', 'A'], new Set(), 'input.secrets')).field).toBe('input.secrets[1]');
    expect(fault(() => validateJobSecrets(['ok', 'no-no'], new Set(), 'input.secrets')).field).toBe('input.secrets[1]');
    expect(fault(() => validateJobSecrets(['A'], new Set(['A']), 'input.secrets')).message).toMatch(
      /both an environment variable and a secret/,
    );
  });
});

describe('pickSecrets', () => {
  const rows = [
    { id: 'S1', name: 'TOKEN', pipelineId: null, value: 'global-token' },
    { id: 'S2', name: 'TOKEN', pipelineId: 'P1', value: 'p1-token' },
    { id: 'S3', name: 'OTHER', pipelineId: null, value: 'other' },
  ];

  it("takes the pipeline's own secret over the global one", () => {
    expect(pickSecrets(rows, ['TOKEN', 'OTHER'], 'P1')).toEqual({
      values: new Map([
        ['TOKEN', 'p1-token'],
        ['OTHER', 'other'],
      ]),
      used: ['S2', 'S3'],
    });
    expect(pickSecrets(rows, ['TOKEN'], 'P2').values.get('TOKEN')).toBe('global-token');
    expect(pickSecrets(rows, ['TOKEN'], '').values.get('TOKEN')).toBe('global-token');
  });

  it('names a secret that is not set, and the scopes looked at', () => {
    expect(fault(() => pickSecrets(rows, ['TOKEN', 'DEPLOY_TOKEN'], 'P1'))).toEqual({
      code: 'NOT_FOUND',
      field: 'DEPLOY_TOKEN',
      message: 'secret DEPLOY_TOKEN is not set (global or for pipeline P1)',
    });
  });
});
