import { describe, expect, it } from 'vitest';
import type { JobRunState, RunState } from './model.js';
import { readiness, release, runOutcome } from './readiness.js';
import type { RunStatus } from './status.js';

const NOW = new Date('2030-01-01T00:00:00Z');

function jr(name: string, stageIndex: number, status: RunStatus, extra: Partial<JobRunState> = {}): JobRunState {
  return {
    id: name,
    name,
    stageIndex,
    needs: [],
    allowFailure: false,
    maxAttempts: 1,
    status,
    attempt: 1,
    exitCode: null,
    failureClass: null,
    reason: null,
    startedAt: null,
    endedAt: null,
    ...extra,
  };
}

describe('readiness', () => {
  it('without needs waits for every entry of all earlier stages', () => {
    const c = jr('c', 2, 'PENDING');
    expect(readiness(c, [jr('a', 0, 'SUCCESS'), jr('b', 1, 'RUNNING'), c])).toBe('waiting');
    expect(readiness(c, [jr('a', 0, 'SUCCESS'), jr('b', 1, 'SUCCESS'), c, jr('d', 2, 'RUNNING')])).toBe('ready');
    expect(readiness(c, [jr('a', 0, 'SKIPPED'), jr('b', 1, 'RUNNING'), c])).toBe('blocked');
    expect(readiness(c, [jr('a', 0, 'FAILED', { allowFailure: true }), jr('b', 1, 'SUCCESS'), c])).toBe('ready');
  });

  it('with needs waits for those only', () => {
    const c = jr('c', 1, 'PENDING', { needs: ['a'] });
    expect(readiness(c, [jr('a', 0, 'SUCCESS'), jr('b', 0, 'FAILED'), c])).toBe('ready');
    expect(readiness(c, [jr('a', 0, 'QUEUED'), c])).toBe('waiting');
    expect(readiness(c, [jr('a', 0, 'CANCELLED'), c])).toBe('blocked');
    expect(readiness(c, [c])).toBe('blocked');
  });

  it('the first stage is ready at once', () => {
    expect(readiness(jr('a', 0, 'PENDING'), [jr('a', 0, 'PENDING')])).toBe('ready');
  });
});

describe('release', () => {
  it('skips pending entries left waiting when nothing is open, so a run never hangs', () => {
    const run: RunState = {
      id: 'R',
      status: 'RUNNING',
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
