import { describe, expect, it } from 'vitest';
import { jr } from './job-run.fixture.js';
import type { JobRunState, RunState } from './model.js';
import { stopJobRuns } from './stop.js';

const NOW = new Date('2030-01-01T00:00:00Z');

const run = (jobRuns: JobRunState[]): RunState => ({
  id: 'R',
  status: 'RUNNING',
  reason: null,
  startedAt: NOW,
  endedAt: null,
  jobRuns,
});

const cancel = { status: 'CANCELLED', failureClass: 'CANCELLED', reason: 'cancelled by ann' } as const;

describe('stopJobRuns', () => {
  it('cancels a whole run: open job runs end CANCELLED, running and queued ones are to be killed', () => {
    const step = stopJobRuns(
      run([jr('a', 0, 'SUCCESS'), jr('b', 0, 'RUNNING'), jr('c', 0, 'QUEUED'), jr('d', 1, 'PENDING')]),
      { ...cancel, runStatus: 'CANCELLED' },
      NOW,
    );
    expect(step?.run.jobRuns.map((j) => j.status)).toEqual(['SUCCESS', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(step?.run.status).toBe('CANCELLED');
    expect(step?.run.reason).toBe('cancelled by ann');
    expect(step?.killed.map((j) => j.id)).toEqual(['b', 'c']);
  });

  it('cancels one job run: what needs it is skipped, the rest goes on, an always entry runs', () => {
    const step = stopJobRuns(
      run([
        jr('a', 0, 'RUNNING'),
        jr('b', 0, 'RUNNING'),
        jr('c', 1, 'PENDING', { needs: ['a'] }),
        jr('report', 1, 'PENDING', { needs: ['a'], when: 'always' }),
      ]),
      { ...cancel, jobRunIds: ['a'] },
      NOW,
    );
    expect(step?.run.jobRuns.map((j) => j.status)).toEqual(['CANCELLED', 'RUNNING', 'SKIPPED', 'QUEUED']);
    expect(step?.dispatch.map((j) => j.id)).toEqual(['report']);
    expect(step?.run.status).toBe('RUNNING');
  });

  it('times a run out: running job runs fail with TIMEOUT, pending ones are skipped, the run fails', () => {
    const step = stopJobRuns(
      run([jr('a', 0, 'RUNNING'), jr('b', 1, 'PENDING')]),
      { status: 'FAILED', failureClass: 'TIMEOUT', reason: 'timed out after 5s', runStatus: 'FAILED' },
      NOW,
    );
    expect(step?.run.jobRuns.map((j) => [j.status, j.failureClass])).toEqual([
      ['FAILED', 'TIMEOUT'],
      ['SKIPPED', null],
    ]);
    expect(step?.run.status).toBe('FAILED');
  });

  it('does nothing to an ended run or ended job runs', () => {
    expect(stopJobRuns({ ...run([jr('a', 0, 'SUCCESS')]), status: 'SUCCESS' }, cancel, NOW)).toBeUndefined();
    expect(
      stopJobRuns(run([jr('a', 0, 'SUCCESS'), jr('b', 0, 'RUNNING')]), { ...cancel, jobRunIds: ['a'] }, NOW),
    ).toBeUndefined();
  });
});
