import { describe, expect, it } from 'vitest';
import { FluxiError } from '@fluxi/common';
import { planRun, type SnapshotShape } from './plan.js';

const job = (name: string, extra: { allowFailure?: boolean; maxAttempts?: number } = {}) => ({
  jobId: `J${name}`,
  name,
  allowFailure: extra.allowFailure ?? false,
  maxAttempts: extra.maxAttempts ?? 0,
});

function fieldOf(snapshot: SnapshotShape): string | undefined {
  try {
    planRun(snapshot);
  } catch (error) {
    expect(error).toBeInstanceOf(FluxiError);
    expect((error as FluxiError).code).toBe('BAD_USER_INPUT');
    return (error as FluxiError).field;
  }
  throw new Error('planRun accepted the snapshot');
}

describe('planRun', () => {
  it('names job runs by entry name, so one job can stand twice under two names', () => {
    const planned = planRun({
      stages: [
        {
          name: 'build',
          entries: [
            { name: 'build-arm', job: job('build'), needs: [] },
            { name: 'build-x86', job: job('build'), needs: [] },
          ],
        },
        { name: 'test', entries: [{ name: 'test', job: job('test'), needs: ['build-arm'] }] },
      ],
    });
    expect(planned.map((p) => [p.name, p.jobId, p.needs])).toEqual([
      ['build-arm', 'Jbuild', []],
      ['build-x86', 'Jbuild', []],
      ['test', 'Jtest', ['build-arm']],
    ]);
  });

  it('lists entries in stage then entry order with positions, needs and at least one attempt', () => {
    const planned = planRun({
      stages: [
        {
          name: 'build',
          entries: [
            { job: job('a'), needs: [] },
            { job: job('b', { maxAttempts: 3 }), needs: [] },
          ],
        },
        { name: 'test', entries: [{ job: job('c', { allowFailure: true }), needs: ['a'] }] },
      ],
    });
    expect(planned.map((p) => [p.position, p.stageIndex, p.stageName, p.name, p.maxAttempts])).toEqual([
      [0, 0, 'build', 'a', 1],
      [1, 0, 'build', 'b', 3],
      [2, 1, 'test', 'c', 1],
    ]);
    expect(planned[2]).toMatchObject({ jobId: 'Jc', needs: ['a'], allowFailure: true, entryIndex: 0 });
  });

  it('accepts needs on an earlier entry of the same stage', () => {
    expect(
      planRun({
        stages: [
          {
            name: 's',
            entries: [
              { job: job('a'), needs: [] },
              { job: job('b'), needs: ['a'] },
            ],
          },
        ],
      }),
    ).toHaveLength(2);
  });

  it('refuses a pipeline without jobs', () => {
    expect(fieldOf({ stages: [] })).toBe('snapshot.stages');
    expect(fieldOf({ stages: [{ name: 's', entries: [] }] })).toBe('snapshot.stages');
  });

  it('refuses duplicate names, unknown, self and later needs, and cycles, naming the field', () => {
    expect(
      fieldOf({
        stages: [
          {
            name: 's',
            entries: [
              { job: job('a'), needs: [] },
              { job: job('a'), needs: [] },
            ],
          },
        ],
      }),
    ).toBe('snapshot.stages[0].entries[1].name');
    expect(fieldOf({ stages: [{ name: 's', entries: [{ job: job('a'), needs: ['zz'] }] }] })).toBe(
      'snapshot.stages[0].entries[0].needs[0]',
    );
    expect(fieldOf({ stages: [{ name: 's', entries: [{ job: job('a'), needs: ['a'] }] }] })).toBe(
      'snapshot.stages[0].entries[0].needs[0]',
    );
    expect(
      fieldOf({
        stages: [
          { name: 's1', entries: [{ job: job('a'), needs: ['b'] }] },
          { name: 's2', entries: [{ job: job('b'), needs: [] }] },
        ],
      }),
    ).toBe('snapshot.stages[0].entries[0].needs[0]');
    expect(
      fieldOf({
        stages: [
          {
            name: 's',
            entries: [
              { job: job('a'), needs: ['b'] },
              { job: job('b'), needs: ['a'] },
            ],
          },
        ],
      }),
    ).toMatch(/^snapshot\.stages\[0\]\.entries\[\d\]\.needs$/);
    expect(fieldOf({ stages: [{ name: 's', entries: [{ needs: [] }] }] })).toBe('snapshot.stages[0].entries[0].job');
  });
});
