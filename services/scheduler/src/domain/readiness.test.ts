import { create, JobSpecSchema, toJson } from '@fluxi/contracts';
import { describe, expect, it } from 'vitest';
import { jr } from './job-run.fixture.js';
import type { JobRunState, RunState } from './model.js';
import { hasWarnings, readiness, release, runOutcome, savesArtifacts } from './readiness.js';

const NOW = new Date('2030-01-01T00:00:00Z');

const state = (jobRun: JobRunState, all: JobRunState[]) => readiness(jobRun, all).state;

describe('readiness', () => {
  it('without needs waits for every entry of all earlier stages', () => {
    const c = jr('c', 2, 'PENDING');
    expect(state(c, [jr('a', 0, 'SUCCESS'), jr('b', 1, 'RUNNING'), c])).toBe('waiting');
    expect(state(c, [jr('a', 0, 'SUCCESS'), jr('b', 1, 'SUCCESS'), c, jr('d', 2, 'RUNNING')])).toBe('ready');
    expect(state(c, [jr('a', 0, 'FAILED'), jr('b', 1, 'RUNNING'), c])).toBe('blocked');
    expect(state(c, [jr('a', 0, 'FAILED', { allowFailure: true }), jr('b', 1, 'SUCCESS'), c])).toBe('ready');
  });

  it('is not blocked by a job run skipped only by its own when', () => {
    const c = jr('c', 2, 'PENDING');
    const cleanup = jr('cleanup', 1, 'SKIPPED', { when: 'on_failure' });
    expect(state(c, [jr('a', 0, 'SUCCESS'), cleanup, c])).toBe('ready');
  });

  it('with needs waits for those only, and for every cell of a matrix entry', () => {
    const c = jr('c', 1, 'PENDING', { needs: ['a'] });
    expect(state(c, [jr('a', 0, 'SUCCESS'), jr('b', 0, 'FAILED'), c])).toBe('ready');
    expect(state(c, [jr('a', 0, 'QUEUED'), c])).toBe('waiting');
    expect(state(c, [jr('a', 0, 'CANCELLED'), c])).toBe('blocked');
    expect(state(c, [c])).toBe('blocked');
    const cells = [jr('a [n=1]', 0, 'SUCCESS', { entry: 'a' }), jr('a [n=2]', 0, 'RUNNING', { entry: 'a' })];
    expect(state(c, [...cells, c])).toBe('waiting');
  });

  it('blocks on a failure further up the needs, naming it', () => {
    const b = jr('b', 1, 'SKIPPED', { needs: ['a'] });
    const c = jr('c', 2, 'PENDING', { needs: ['b'] });
    expect(readiness(c, [jr('a', 0, 'FAILED'), b, c])).toEqual({
      state: 'blocked',
      reason: 'skipped because a failed',
    });
  });

  it('runs on_failure entries only once everything ended and something failed', () => {
    const cleanup = jr('cleanup', 1, 'PENDING', { when: 'on_failure' });
    expect(state(cleanup, [jr('a', 0, 'FAILED'), jr('b', 0, 'RUNNING'), cleanup])).toBe('waiting');
    expect(state(cleanup, [jr('a', 0, 'FAILED'), jr('b', 0, 'SUCCESS'), cleanup])).toBe('ready');
    expect(state(cleanup, [jr('a', 0, 'SUCCESS'), cleanup])).toBe('blocked');
    expect(state(cleanup, [jr('a', 0, 'FAILED', { allowFailure: true }), cleanup])).toBe('blocked');
  });

  it('runs always entries once everything ended, however', () => {
    const always = jr('report', 1, 'PENDING', { when: 'always' });
    expect(state(always, [jr('a', 0, 'RUNNING'), always])).toBe('waiting');
    expect(state(always, [jr('a', 0, 'FAILED'), always])).toBe('ready');
    expect(state(always, [jr('a', 0, 'SUCCESS'), always])).toBe('ready');
  });

  it('the first stage is ready at once', () => {
    expect(state(jr('a', 0, 'PENDING'), [jr('a', 0, 'PENDING')])).toBe('ready');
  });
});

describe('hasWarnings', () => {
  it('marks a successful run with a failed job run as passed with warnings', () => {
    expect(hasWarnings('SUCCESS', [{ status: 'SUCCESS' }, { status: 'FAILED' }])).toBe(true);
    expect(hasWarnings('SUCCESS', [{ status: 'SUCCESS' }])).toBe(false);
    expect(hasWarnings('FAILED', [{ status: 'FAILED' }])).toBe(false);
  });
});

describe('release', () => {
  it('skips pending entries left waiting when nothing is open, so a run never hangs', () => {
    const run: RunState = {
      id: 'R',
      status: 'RUNNING',
      reason: null,
      startedAt: NOW,
      endedAt: null,
      jobRuns: [
        jr('a', 0, 'SUCCESS'),
        jr('b', 0, 'PENDING', { needs: ['c'] }),
        jr('c', 0, 'PENDING', { needs: ['b'] }),
      ],
    };
    const { run: next, dispatch } = release(run, NOW);
    expect(dispatch).toEqual([]);
    expect(next.jobRuns.map((j) => j.status)).toEqual(['SUCCESS', 'SKIPPED', 'SKIPPED']);
    expect(next.status).toBe('SUCCESS');
    expect(next.endedAt).toBe(NOW);
  });

  it('leaves a terminal run alone', () => {
    const run: RunState = {
      id: 'R',
      status: 'CANCELLED',
      reason: null,
      startedAt: NOW,
      endedAt: NOW,
      jobRuns: [jr('a', 0, 'CANCELLED')],
    };
    expect(release(run, new Date()).run.status).toBe('CANCELLED');
  });
});

describe('runOutcome', () => {
  it('is FAILED on a failure that is not allowed, else CANCELLED on a cancel, else SUCCESS', () => {
    expect(runOutcome([jr('a', 0, 'SUCCESS'), jr('b', 0, 'FAILED', { allowFailure: true })])).toBe('SUCCESS');
    expect(runOutcome([jr('a', 0, 'FAILED'), jr('b', 0, 'CANCELLED')])).toBe('FAILED');
    expect(runOutcome([jr('a', 0, 'CANCELLED'), jr('b', 1, 'SKIPPED')])).toBe('CANCELLED');
  });
});

describe('savesArtifacts', () => {
  it('is true only for a frozen spec with artifact paths, read as the trigger stores it (proto JSON)', () => {
    const stored = (init: { artifactPaths?: string[] }) =>
      toJson(JobSpecSchema, create(JobSpecSchema, { command: 'make', ...init }));
    expect(savesArtifacts(stored({ artifactPaths: ['dist/', 'report.xml'] }))).toBe(true);
    expect(savesArtifacts(stored({}))).toBe(false);
    expect(savesArtifacts(stored({ artifactPaths: [] }))).toBe(false);
    expect(savesArtifacts(null)).toBe(false);
    expect(savesArtifacts({ artifactPaths: 'dist/' })).toBe(false);
  });
});
