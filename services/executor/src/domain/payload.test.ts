import { describe, expect, it } from 'vitest';
import { FluxiError } from '@fluxi/common';
import { ContractVersion, ExecuteJobSchema, JobSpecSchema, create, toJson } from '@fluxi/contracts';
import { parseExecutePayload } from './payload.js';

function payload(overrides: Record<string, unknown> = {}) {
  const message = create(ExecuteJobSchema, {
    version: ContractVersion.CONTRACT_VERSION_1,
    jobRunId: 'JR01ARZ3NDEKTSV4RRFFQ69G5FAV',
    pipelineRunId: 'R01ARZ3NDEKTSV4RRFFQ69G5FAV',
    attempt: 1,
    job: create(JobSpecSchema, { jobId: 'J1', name: 'build', command: 'echo hi', env: { A: 'b' } }),
  });
  return { payload: { ...(toJson(ExecuteJobSchema, message) as object), ...overrides } };
}

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FluxiError);
    return (error as FluxiError).field;
  }
  return 'no error';
}

describe('parseExecutePayload', () => {
  it('accepts the scheduler payload', () => {
    const job = parseExecutePayload(payload());
    expect(job.jobRunId).toBe('JR01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(job.job.command).toBe('echo hi');
    expect(job.job.env).toEqual({ A: 'b' });
  });

  it('tolerates unknown fields of a newer writer', () => {
    expect(parseExecutePayload(payload({ someNewField: 1 })).attempt).toBe(1);
  });

  it('refuses what is not a payload', () => {
    expect(fieldOf(() => parseExecutePayload(null))).toBe('payload');
    expect(fieldOf(() => parseExecutePayload({ payload: 'x' }))).toBe('payload');
    expect(fieldOf(() => parseExecutePayload({ payload: { attempt: 'many' } }))).toBe('payload');
  });

  it('refuses an unknown contract version', () => {
    expect(fieldOf(() => parseExecutePayload(payload({ version: 'CONTRACT_VERSION_UNSPECIFIED' })))).toBe(
      'payload.version',
    );
    expect(fieldOf(() => parseExecutePayload(payload({ version: 7 })))).toBe('payload.version');
  });

  it('refuses missing or unsafe ids, attempt 0, no job, no command', () => {
    expect(fieldOf(() => parseExecutePayload(payload({ jobRunId: '' })))).toBe('payload.jobRunId');
    expect(fieldOf(() => parseExecutePayload(payload({ jobRunId: '../etc' })))).toBe('payload.jobRunId');
    expect(fieldOf(() => parseExecutePayload(payload({ pipelineRunId: 'a.b' })))).toBe('payload.pipelineRunId');
    expect(fieldOf(() => parseExecutePayload(payload({ attempt: 0 })))).toBe('payload.attempt');
    expect(fieldOf(() => parseExecutePayload(payload({ job: null })))).toBe('payload.job');
    expect(fieldOf(() => parseExecutePayload(payload({ job: { command: ' ' } })))).toBe('payload.job.command');
  });

  it('accepts artifact sources and refuses unsafe ids in them', () => {
    const artifactsFrom = [{ name: 'build', jobRunId: 'JR01ARZ3NDEKTSV4RRFFQ69G5FAW' }];
    expect(parseExecutePayload(payload({ artifactsFrom })).artifactsFrom[0]?.name).toBe('build');
    expect(fieldOf(() => parseExecutePayload(payload({ artifactsFrom: [{ name: 'x', jobRunId: '../x' }] })))).toBe(
      'payload.artifactsFrom[0].jobRunId',
    );
  });

  it('accepts an image job without a command', () => {
    expect(parseExecutePayload(payload({ job: { image: 'alpine:3' } })).job.image).toBe('alpine:3');
  });
});
