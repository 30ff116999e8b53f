import { describe, expect, it } from 'vitest';
import { armable, ARMING_MAX_JOB_RUNS } from './arming.js';
import { jr } from './job-run.fixture.js';
import type { JobRunState, RunState } from './model.js';
import { release } from './readiness.js';
import { applyJobRunEvent } from './state-machine.js';

const run = (jobRuns: JobRunState[], status: RunState['status'] = 'RUNNING'): RunState => ({
  id: 'r',
  status,
  reason: null,
  startedAt: new Date(0),
  endedAt: null,
  jobRuns,
});
const any = (_jobRun: JobRunState, _on: JobRunState) => true;
const pairs = (state: RunState, eligible = any) =>
  armable(state, eligible).map((arming) => `${arming.jobRun.name}<-${arming.on.name}`);

describe('armable', () => {
  it('arms the next stage of a chain on the one job run it waits for, queued or running', () => {
    expect(pairs(run([jr('a', 0, 'RUNNING'), jr('b', 1, 'PENDING'), jr('c', 2, 'PENDING')]))).toEqual(['b<-a']);
    expect(pairs(run([jr('a', 0, 'QUEUED'), jr('b', 1, 'PENDING')]))).toEqual(['b<-a']);
    expect(pairs(run([jr('a', 0, 'SUCCESS'), jr('b', 1, 'RUNNING'), jr('c', 2, 'PENDING')]))).toEqual(['c<-b']);
  });

  it('arms nothing while two things it waits for are open, or what it waits for is only pending', () => {
    expect(pairs(run([jr('a', 0, 'RUNNING'), jr('x', 0, 'RUNNING'), jr('b', 1, 'PENDING')]))).toEqual([]);
    expect(pairs(run([jr('a', 0, 'PENDING'), jr('b', 1, 'PENDING')]))).toEqual([]);
  });

  it('follows needs: a job run waits only for what it needs', () => {
    const state = run([
      jr('a', 0, 'RUNNING'),
      jr('x', 0, 'RUNNING'),
      jr('b', 1, 'PENDING', { needs: ['a'] }),
      jr('c', 1, 'PENDING', { needs: ['a', 'x'] }),
    ]);
    expect(pairs(state)).toEqual(['b<-a']);
  });

  it('never arms what its when, a failure or cancel upstream, a manual job run or the spec rules out', () => {
    expect(pairs(run([jr('a', 0, 'RUNNING'), jr('b', 1, 'PENDING', { when: 'on_failure' })]))).toEqual([]);
    expect(pairs(run([jr('a', 0, 'RUNNING'), jr('b', 1, 'PENDING', { when: 'always' })]))).toEqual([]);
    expect(pairs(run([jr('a', 0, 'RUNNING'), jr('b', 1, 'PENDING', { when: 'manual' })]))).toEqual([]);
    const failed = jr('f', 0, 'FAILED');
    expect(pairs(run([failed, jr('a', 1, 'RUNNING', { when: 'always' }), jr('b', 2, 'PENDING')]))).toEqual([]);
    expect(pairs(run([{ ...failed, allowFailure: true }, jr('a', 1, 'RUNNING'), jr('b', 2, 'PENDING')]))).toEqual([
      'b<-a',
    ]);
    const cancelled = jr('k', 0, 'CANCELLED');
    expect(pairs(run([cancelled, jr('a', 1, 'RUNNING', { when: 'always' }), jr('b', 2, 'PENDING')]))).toEqual([]);
    const manual = jr('m', 0, 'MANUAL', { when: 'manual', allowFailure: true });
    expect(pairs(run([manual, jr('a', 0, 'RUNNING'), jr('b', 1, 'PENDING', { needs: ['a'] })]))).toEqual([]);
    expect(pairs(run([jr('a', 0, 'RUNNING'), jr('b', 1, 'PENDING')]), (jobRun) => jobRun.name !== 'b')).toEqual([]);
  });

  it('arms nothing twice, nothing in an ended run, nothing in a run past the size limit', () => {
    expect(pairs(run([jr('a', 0, 'RUNNING'), jr('b', 1, 'PENDING', { armed: true })]))).toEqual([]);
    expect(pairs(run([jr('a', 0, 'RUNNING'), jr('b', 1, 'PENDING')], 'CANCELLED'))).toEqual([]);
    const wide = Array.from({ length: ARMING_MAX_JOB_RUNS }, (_, i) => jr(`w${i}`, 1, 'PENDING', { needs: ['a'] }));
    expect(pairs(run([jr('a', 0, 'RUNNING'), ...wide]))).toEqual([]);
  });

  it("keeps its promise: the armed attempt's success queues the armed job run", () => {
    const cases = [
      run([jr('a', 0, 'RUNNING'), jr('b', 1, 'PENDING'), jr('c', 2, 'PENDING')]),
      run([jr('f', 0, 'FAILED', { allowFailure: true }), jr('a', 1, 'QUEUED'), jr('b', 2, 'PENDING')]),
      run([jr('a', 0, 'RUNNING'), jr('x', 0, 'RUNNING'), jr('b', 1, 'PENDING', { needs: ['a'] })]),
    ];
    for (const state of cases) {
      for (const { jobRun, on } of armable(state, any)) {
        const started = on.status === 'QUEUED' ? { ...on, status: 'RUNNING' as const } : on;
        const jobRuns = state.jobRuns.map((other) => (other.id === on.id ? started : other));
        const after = applyJobRunEvent(
          { ...state, jobRuns },
          {
            kind: 'finished',
            jobRunId: on.id,
            attempt: on.attempt,
            at: new Date(1),
            outcome: 'SUCCESS',
            exitCode: 0,
            failureClass: null,
            reason: null,
          },
          { random: () => 0 },
        );
        expect(after.applied && after.dispatch.map((queued) => queued.id)).toContain(jobRun.id);
      }
    }
  });
});

describe('an armed job run', () => {
  it('takes the events of its attempt while PENDING; one not armed ignores them', () => {
    const started = { kind: 'started', jobRunId: 'b', attempt: 1, at: new Date(5) } as const;
    const armed = applyJobRunEvent(run([jr('a', 0, 'RUNNING'), jr('b', 1, 'PENDING', { armed: true })]), started, {
      random: () => 0,
    });
    expect(armed.applied && armed.run.jobRuns.map((jobRun) => jobRun.status)).toEqual(['RUNNING', 'RUNNING']);
    const plain = applyJobRunEvent(run([jr('a', 0, 'RUNNING'), jr('b', 1, 'PENDING')]), started, { random: () => 0 });
    expect(plain).toEqual({ applied: false, ignored: 'job run was never queued' });
  });

  it('is skipped like any other when what it waits for fails', () => {
    const failedA = jr('a', 0, 'FAILED', { exitCode: 1, failureClass: 'JOB' });
    const released = release(run([failedA, jr('b', 1, 'PENDING', { armed: true })]), new Date(1));
    expect(released.run.jobRuns[1]?.status).toBe('SKIPPED');
    expect(released.dispatch).toEqual([]);
  });
});
