import { describe, expect, it } from 'vitest';
import { FluxiError } from '@fluxi/common';
import { referencedJobIds, validatePipeline, type PipelineInput, type StageInput } from './pipeline.js';

const JOBS = new Map([
  ['J1', 'build'],
  ['J2', 'test'],
  ['J3', 'deploy'],
]);

const pipeline = (...stages: StageInput[]): PipelineInput => ({ name: 'ci', stages });

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

function refusal(input: PipelineInput): { code: string; field: string | undefined; message: string } {
  const { code, field, message } = fluxiErrorOf(() => validatePipeline(input, JOBS));
  return { code, field, message };
}

describe('validatePipeline', () => {
  it('defaults entry names to job names and keeps needs', () => {
    const result = validatePipeline(
      {
        name: 'ci',
        description: 'main pipeline',
        stages: [
          { name: 'build', entries: [{ jobId: 'J1' }, { jobId: 'J1', name: 'build-arm' }] },
          {
            name: 'check',
            entries: [
              { jobId: 'J2', needs: ['build'] },
              { jobId: 'J3', needs: ['test', 'build-arm'] },
            ],
          },
        ],
      },
      JOBS,
    );
    const entry = { when: 'ON_SUCCESS', matrix: [], allowFailure: null, pool: null, tags: [] };
    expect(result).toEqual({
      name: 'ci',
      description: 'main pipeline',
      timeoutSec: null,
      concurrency: null,
      retention: null,
      git: null,
      stages: [
        {
          name: 'build',
          entries: [
            { name: 'build', jobId: 'J1', needs: [], ...entry },
            { name: 'build-arm', jobId: 'J1', needs: [], ...entry },
          ],
        },
        {
          name: 'check',
          entries: [
            { name: 'test', jobId: 'J2', needs: ['build'], ...entry },
            { name: 'deploy', jobId: 'J3', needs: ['test', 'build-arm'], ...entry },
          ],
        },
      ],
    });
  });

  it('lists the referenced job ids once each', () => {
    expect(
      referencedJobIds(
        pipeline({ name: 'a', entries: [{ jobId: 'J1' }, { jobId: 'J2' }] }, { name: 'b', entries: [{ jobId: 'J1' }] }),
      ),
    ).toEqual(['J1', 'J2']);
  });

  it('refuses a pipeline without stages', () => {
    expect(refusal({ name: 'ci', stages: [] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.stages' });
  });

  it('refuses an invalid pipeline name', () => {
    expect(refusal({ name: 'my pipeline', stages: [] })).toMatchObject({ field: 'input.name' });
  });

  it('refuses an empty stage and an empty stage name', () => {
    expect(refusal(pipeline({ name: 'a', entries: [] }))).toMatchObject({ field: 'input.stages[0].entries' });
    expect(refusal(pipeline({ name: '', entries: [{ jobId: 'J1' }] }))).toMatchObject({
      field: 'input.stages[0].name',
    });
  });

  it('refuses duplicate stage names', () => {
    const error = refusal(
      pipeline({ name: 'a', entries: [{ jobId: 'J1' }] }, { name: 'a', entries: [{ jobId: 'J2' }] }),
    );
    expect(error).toMatchObject({ field: 'input.stages[1].name' });
    expect(error.message).toContain('stages[0] and stages[1]');
  });

  it('refuses an unknown job with the field path of its jobId', () => {
    const error = refusal(
      pipeline({ name: 'a', entries: [{ jobId: 'J1' }] }, { name: 'b', entries: [{ jobId: 'J9' }] }),
    );
    expect(error).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.stages[1].entries[0].jobId',
      message: 'job J9 does not exist',
    });
  });

  it('refuses duplicate entry names, also when one is the default', () => {
    const error = refusal(
      pipeline({ name: 'a', entries: [{ jobId: 'J1' }] }, { name: 'b', entries: [{ jobId: 'J2', name: 'build' }] }),
    );
    expect(error).toMatchObject({ field: 'input.stages[1].entries[0].name' });
    expect(error.message).toContain('"build" is used twice (stages[0].entries[0] and stages[1].entries[0])');
  });

  it('refuses the same job twice without a distinct name', () => {
    expect(refusal(pipeline({ name: 'a', entries: [{ jobId: 'J1' }, { jobId: 'J1' }] }))).toMatchObject({
      field: 'input.stages[0].entries[1].name',
    });
  });

  it('refuses an unknown need', () => {
    const error = refusal(
      pipeline({ name: 'a', entries: [{ jobId: 'J1' }, { jobId: 'J2', needs: ['build', 'lint'] }] }),
    );
    expect(error).toMatchObject({ field: 'input.stages[0].entries[1].needs[1]' });
    expect(error.message).toBe('entry "test" needs "lint", which is not an entry of this pipeline');
  });

  it('refuses a self need', () => {
    const error = refusal(pipeline({ name: 'a', entries: [{ jobId: 'J1', needs: ['build'] }] }));
    expect(error).toMatchObject({
      field: 'input.stages[0].entries[0].needs[0]',
      message: 'entry "build" cannot need itself',
    });
  });

  it('refuses a need listed twice', () => {
    const error = refusal(
      pipeline({ name: 'a', entries: [{ jobId: 'J1' }, { jobId: 'J2', needs: ['build', 'build'] }] }),
    );
    expect(error).toMatchObject({ field: 'input.stages[0].entries[1].needs[1]' });
  });

  it('refuses a need on an entry of a later stage', () => {
    const error = refusal(
      pipeline(
        { name: 'first', entries: [{ jobId: 'J1', needs: ['deploy'] }] },
        { name: 'second', entries: [{ jobId: 'J3' }] },
      ),
    );
    expect(error.field).toBe('input.stages[0].entries[0].needs[0]');
    expect(error.message).toContain('entry "build" (stage "first") needs "deploy" of the later stage "second"');
  });

  it('refuses a cycle, naming its entries', () => {
    const error = refusal(
      pipeline(
        { name: 'first', entries: [{ jobId: 'J3' }] },
        {
          name: 'second',
          entries: [
            { jobId: 'J1', needs: ['deploy', 'test'] },
            { jobId: 'J2', name: 'test', needs: ['lint'] },
            { jobId: 'J2', name: 'lint', needs: ['build'] },
          ],
        },
      ),
    );
    expect(error.message).toBe('needs form a cycle: "build" → "test" → "lint" → "build"');
    expect(error.field).toBe('input.stages[1].entries[0].needs[1]'); // build's need on test, the first edge of the cycle
  });

  it('accepts needs within the same stage when they form a DAG', () => {
    const result = validatePipeline(
      pipeline({
        name: 'all',
        entries: [{ jobId: 'J3', needs: ['test'] }, { jobId: 'J2', needs: ['build'] }, { jobId: 'J1' }],
      }),
      JOBS,
    );
    expect(result.stages[0]?.entries.map((e) => e.name)).toEqual(['deploy', 'test', 'build']);
  });

  it('keeps when, matrix, allowFailure, timeoutSec and concurrency', () => {
    const result = validatePipeline(
      {
        name: 'ci',
        timeoutSec: 3600,
        concurrency: { group: 'deploy-production' },
        stages: [
          {
            name: 's',
            entries: [
              { jobId: 'J1', matrix: [{ name: 'NODE', values: ['18', '20'] }], allowFailure: true },
              { jobId: 'J2', when: 'ALWAYS', needs: ['build'], allowFailure: false, pool: 'arm', tags: ['gpu'] },
            ],
          },
        ],
      },
      JOBS,
    );
    expect(result).toMatchObject({ timeoutSec: 3600, concurrency: { group: 'deploy-production', cancelOlder: false } });
    expect(result.stages[0]?.entries).toEqual([
      {
        name: 'build',
        jobId: 'J1',
        needs: [],
        when: 'ON_SUCCESS',
        matrix: [{ name: 'NODE', values: ['18', '20'] }],
        allowFailure: true,
        pool: null,
        tags: [],
      },
      {
        name: 'test',
        jobId: 'J2',
        needs: ['build'],
        when: 'ALWAYS',
        matrix: [],
        allowFailure: false,
        pool: 'arm',
        tags: ['gpu'],
      },
    ]);
  });

  it('names the field of a bad when, matrix, timeout or concurrency group', () => {
    const entry = (fields: object) => pipeline({ name: 's', entries: [{ jobId: 'J1' }, { jobId: 'J2', ...fields }] });
    expect(refusal(entry({ when: 'SOMETIMES' })).field).toBe('input.stages[0].entries[1].when');
    expect(refusal(entry({ pool: 'Big Pool' }))).toMatchObject({
      field: 'input.stages[0].entries[1].pool',
      message: expect.stringMatching(/pool "Big Pool" is invalid/) as unknown,
    });
    expect(refusal(entry({ tags: ['ok', 'not_ok'] })).field).toBe('input.stages[0].entries[1].tags[1]');
    expect(refusal(entry({ matrix: [{ name: '1X', values: ['a'] }] })).field).toBe(
      'input.stages[0].entries[1].matrix[0].name',
    );
    expect(refusal(entry({ matrix: [{ name: 'A', values: [] }] })).field).toBe(
      'input.stages[0].entries[1].matrix[0].values',
    );
    expect(refusal(entry({ matrix: [{ name: 'A', values: ['x', 'y', 'x'] }] })).field).toBe(
      'input.stages[0].entries[1].matrix[0].values[2]',
    );
    expect(
      refusal(
        entry({
          matrix: [
            { name: 'A', values: ['1'] },
            { name: 'A', values: ['2'] },
          ],
        }),
      ).field,
    ).toBe('input.stages[0].entries[1].matrix[1].name');
    const sixteen = Array.from({ length: 16 }, (_, i) => String(i));
    const tooMany = refusal(
      entry({
        matrix: [
          { name: 'A', values: sixteen },
          { name: 'B', values: sixteen },
          { name: 'C', values: ['x', 'y'] },
        ],
      }),
    );
    expect(tooMany).toMatchObject({ field: 'input.stages[0].entries[1].matrix[2].values' });
    expect(tooMany.message).toContain('256 combinations');
    const axes = Array.from({ length: 11 }, (_, i) => ({ name: `A${i}`, values: ['x'] }));
    expect(refusal(entry({ matrix: axes })).field).toBe('input.stages[0].entries[1].matrix');
    const one = [{ name: 's', entries: [{ jobId: 'J1' }] }];
    expect(refusal({ name: 'ci', stages: one, timeoutSec: 0 }).field).toBe('input.timeoutSec');
    expect(refusal({ name: 'ci', stages: one, timeoutSec: 604_801 }).field).toBe('input.timeoutSec');
    expect(refusal({ name: 'ci', stages: one, concurrency: { group: 'no spaces' } }).field).toBe(
      'input.concurrency.group',
    );
  });

  it('keeps a retention in whole days and names the field of a bad one', () => {
    const one = [{ name: 's', entries: [{ jobId: 'J1' }] }];
    expect(validatePipeline({ name: 'ci', stages: one, retention: { runDays: 30 } }, JOBS).retention).toEqual({
      runDays: 30,
      logDays: null,
    });
    expect(validatePipeline({ name: 'ci', stages: one, retention: {} }, JOBS).retention).toBeNull();
    expect(validatePipeline({ name: 'ci', stages: one }, JOBS).retention).toBeNull();
    expect(refusal({ name: 'ci', stages: one, retention: { runDays: -1 } })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.retention.runDays',
      message: 'runDays must be a whole number from 1 to 36500, got -1',
    });
    expect(refusal({ name: 'ci', stages: one, retention: { logDays: 0 } }).field).toBe('input.retention.logDays');
    expect(refusal({ name: 'ci', stages: one, retention: { logDays: 1.5 } }).field).toBe('input.retention.logDays');
    expect(refusal({ name: 'ci', stages: one, retention: { runDays: 36_501 } }).field).toBe('input.retention.runDays');
  });
});
