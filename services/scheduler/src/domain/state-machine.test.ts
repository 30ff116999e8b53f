import { describe, expect, it } from 'vitest';
import type { JobRunEventInput, RunState } from './model.js';
import { planRun } from './plan.js';
import { initialJobRuns, startRun } from './start.js';
import { applyJobRunEvent } from './state-machine.js';

interface EntryDef {
  name: string;
  needs?: string[];
  allowFailure?: boolean;
  maxAttempts?: number;
  /** Contract EntryWhen: 2 on_failure, 3 always. */
  when?: number;
  retry?: { on: number[]; exitCodes: number[]; backoff: number; delayMs: number; maxDelayMs: number; jitter: boolean };
  matrix?: { name: string; values: string[] }[];
}

const OPTIONS = { random: () => 0.5 };
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

/** A new run of these stages; job run ids are the entry names. */
function newRun(stages: EntryDef[][]): { run: RunState; dispatched: string[] } {
  const planned = planRun({
    stages: stages.map((entries, i) => ({
      name: `stage${i}`,
      entries: entries.map((e) => ({
        job: {
          jobId: `J${e.name}`,
          name: e.name,
          allowFailure: e.allowFailure ?? false,
          maxAttempts: e.maxAttempts ?? 1,
          retry: e.retry,
        },
        needs: e.needs ?? [],
        when: e.when ?? 0,
        matrix: e.matrix ?? [],
      })),
    })),
  });
  const step = startRun(
    'R1',
    initialJobRuns(
      planned,
      planned.map((p) => p.name),
    ),
    T0,
  );
  return { run: step.run, dispatched: step.dispatch.map((j) => j.id) };
}

const started = (id: string, attempt = 1, s = 1): JobRunEventInput => ({
  kind: 'started',
  jobRunId: id,
  attempt,
  at: at(s),
});
const finished = (id: string, outcome: 'SUCCESS' | 'FAILED' | 'CANCELLED', attempt = 1, s = 2): JobRunEventInput => ({
  kind: 'finished',
  jobRunId: id,
  attempt,
  at: at(s),
  outcome,
  exitCode: outcome === 'SUCCESS' ? 0 : 1,
  failureClass: outcome === 'FAILED' ? 'JOB' : outcome === 'CANCELLED' ? 'CANCELLED' : null,
  reason: outcome === 'SUCCESS' ? null : 'exit 1',
});

/** Applies events that must all be applied; returns the run and what each step dispatched. */
function play(run: RunState, ...events: JobRunEventInput[]): { run: RunState; dispatched: string[] } {
  const dispatched: string[] = [];
  for (const event of events) {
    const result = applyJobRunEvent(run, event, OPTIONS);
    if (!result.applied) throw new Error(`ignored ${event.kind} ${event.jobRunId}: ${result.ignored}`);
    run = result.run;
    dispatched.push(...result.dispatch.map((j) => `${j.id}#${j.attempt}`));
  }
  return { run, dispatched };
}

/** Runs a job through started + finished. */
const runJob = (id: string, outcome: 'SUCCESS' | 'FAILED' | 'CANCELLED' = 'SUCCESS', attempt = 1) => [
  started(id, attempt),
  finished(id, outcome, attempt),
];

const statuses = (run: RunState) => Object.fromEntries(run.jobRuns.map((j) => [j.name, j.status]));

describe('a new run', () => {
  it('queues the first stage only', () => {
    const { run, dispatched } = newRun([[{ name: 'a' }, { name: 'b' }], [{ name: 'c' }]]);
    expect(dispatched).toEqual(['a', 'b']);
    expect(statuses(run)).toEqual({ a: 'QUEUED', b: 'QUEUED', c: 'PENDING' });
    expect(run.status).toBe('QUEUED');
  });

  it('queues an entry whose needs are all in the same stage only after them', () => {
    const { run, dispatched } = newRun([[{ name: 'a' }, { name: 'b', needs: ['a'] }]]);
    expect(dispatched).toEqual(['a']);
    const after = play(run, ...runJob('a'));
    expect(after.dispatched).toEqual(['b#1']);
  });
});

describe('stages', () => {
  it('run stage by stage to SUCCESS and record times', () => {
    let { run } = newRun([[{ name: 'a' }, { name: 'b' }], [{ name: 'c' }], [{ name: 'd' }]]);
    let step = play(run, started('a'));
    expect(step.run.status).toBe('RUNNING');
    expect(step.run.startedAt).toEqual(at(1));
    expect(step.run.jobRuns[0]).toMatchObject({ status: 'RUNNING', startedAt: at(1) });
    step = play(step.run, finished('a', 'SUCCESS'));
    expect(step.dispatched).toEqual([]);
    step = play(step.run, ...runJob('b'));
    expect(step.dispatched).toEqual(['c#1']);
    step = play(step.run, ...runJob('c'));
    expect(step.dispatched).toEqual(['d#1']);
    run = play(step.run, started('d'), finished('d', 'SUCCESS', 1, 9)).run;
    expect(run.status).toBe('SUCCESS');
    expect(run.endedAt).toEqual(at(9));
    expect(run.jobRuns.every((j) => j.status === 'SUCCESS' && j.exitCode === 0)).toBe(true);
  });

  it('release a DAG entry across stages as soon as its needs succeeded', () => {
    const { run } = newRun([
      [{ name: 'a' }, { name: 'slow' }],
      [{ name: 'b', needs: ['a'] }, { name: 'c' }],
    ]);
    const step = play(run, ...runJob('a'));
    expect(step.dispatched).toEqual(['b#1']);
    expect(statuses(step.run)).toEqual({ a: 'SUCCESS', slow: 'QUEUED', b: 'QUEUED', c: 'PENDING' });
  });
});

describe('failures', () => {
  it('skip what can no longer run, keep running jobs, and end FAILED when nothing is open', () => {
    const { run } = newRun([
      [{ name: 'a' }, { name: 'b' }],
      [{ name: 'c' }, { name: 'd', needs: ['b'] }],
      [{ name: 'e', needs: ['d'] }],
    ]);
    let step = play(run, started('a'), started('b'), finished('a', 'FAILED'));
    // c waits for all of stage 0: blocked. d needs only b, which still runs.
    expect(statuses(step.run)).toEqual({ a: 'FAILED', b: 'RUNNING', c: 'SKIPPED', d: 'PENDING', e: 'PENDING' });
    expect(step.run.status).toBe('RUNNING');
    expect(step.run.jobRuns[0]).toMatchObject({ exitCode: 1, failureClass: 'JOB', reason: 'exit 1', endedAt: at(2) });
    step = play(step.run, finished('b', 'SUCCESS'));
    expect(step.dispatched).toEqual(['d#1']);
    step = play(step.run, ...runJob('d'));
    expect(step.dispatched).toEqual(['e#1']);
    step = play(step.run, ...runJob('e'));
    expect(step.run.status).toBe('FAILED');
    expect(statuses(step.run)).toEqual({ a: 'FAILED', b: 'SUCCESS', c: 'SKIPPED', d: 'SUCCESS', e: 'SUCCESS' });
  });

  it('skip in cascade through needs', () => {
    const { run } = newRun([
      [{ name: 'a' }],
      [{ name: 'b', needs: ['a'] }],
      [{ name: 'c', needs: ['b'] }, { name: 'd' }],
    ]);
    const step = applyJobRunEvent(play(run, started('a')).run, finished('a', 'FAILED'), OPTIONS);
    if (!step.applied) throw new Error(step.ignored);
    expect(statuses(step.run)).toEqual({ a: 'FAILED', b: 'SKIPPED', c: 'SKIPPED', d: 'SKIPPED' });
    expect(step.run.status).toBe('FAILED');
    expect(step.runChanged).toBe(true);
    expect(step.changed.map((j) => j.name).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('let dependents run after an allowed failure and end SUCCESS', () => {
    const { run } = newRun([[{ name: 'a', allowFailure: true }], [{ name: 'b', needs: ['a'] }, { name: 'c' }]]);
    let step = play(run, ...runJob('a', 'FAILED'));
    expect(step.dispatched).toEqual(['b#1', 'c#1']);
    step = play(step.run, ...runJob('b'), ...runJob('c'));
    expect(step.run.status).toBe('SUCCESS');
    expect(statuses(step.run)['a']).toBe('FAILED');
  });

  it('end CANCELLED when a job was cancelled and none failed', () => {
    const { run } = newRun([[{ name: 'a' }], [{ name: 'b' }]]);
    const step = play(run, ...runJob('a', 'CANCELLED'));
    expect(statuses(step.run)).toEqual({ a: 'CANCELLED', b: 'SKIPPED' });
    expect(step.run.status).toBe('CANCELLED');
  });
});

describe('retries', () => {
  it('queue a failed attempt again until maxAttempts, then fail', () => {
    const { run } = newRun([[{ name: 'a', maxAttempts: 2 }], [{ name: 'b' }]]);
    let step = play(run, ...runJob('a', 'FAILED'));
    expect(step.dispatched).toEqual(['a#2']);
    expect(step.run.jobRuns[0]).toMatchObject({
      status: 'QUEUED',
      attempt: 2,
      exitCode: null,
      startedAt: null,
      endedAt: null,
    });
    expect(step.run.status).toBe('RUNNING');
    step = play(step.run, ...runJob('a', 'FAILED', 2));
    expect(statuses(step.run)).toEqual({ a: 'FAILED', b: 'SKIPPED' });
    expect(step.run.status).toBe('FAILED');
  });

  it('succeed on a later attempt', () => {
    const { run } = newRun([[{ name: 'a', maxAttempts: 3 }], [{ name: 'b' }]]);
    const step = play(run, ...runJob('a', 'FAILED'), ...runJob('a', 'SUCCESS', 2));
    expect(step.dispatched).toEqual(['a#2', 'b#1']);
    expect(step.run.jobRuns[0]).toMatchObject({ status: 'SUCCESS', attempt: 2 });
  });

  it('wait the backoff before the next attempt', () => {
    const retry = { on: [], exitCodes: [], backoff: 2, delayMs: 1000, maxDelayMs: 0, jitter: false };
    const { run } = newRun([[{ name: 'a', maxAttempts: 3, retry }]]);
    let step = play(run, started('a', 1, 1), finished('a', 'FAILED', 1, 2));
    expect(step.run.jobRuns[0]?.notBefore).toEqual(at(3));
    step = play(step.run, started('a', 2, 3), finished('a', 'FAILED', 2, 4));
    expect(step.run.jobRuns[0]?.notBefore).toEqual(at(6));
  });

  it('stop retrying when the failure is not one the rule retries', () => {
    const retry = { on: [3], exitCodes: [], backoff: 1, delayMs: 0, maxDelayMs: 0, jitter: false };
    const { run } = newRun([[{ name: 'a', maxAttempts: 3, retry }]]);
    const step = play(run, ...runJob('a', 'FAILED'));
    expect(step.dispatched).toEqual([]);
    expect(step.run.status).toBe('FAILED');
  });

  it('do not retry a cancelled job', () => {
    const { run } = newRun([[{ name: 'a', maxAttempts: 3 }]]);
    expect(play(run, ...runJob('a', 'CANCELLED')).run.status).toBe('CANCELLED');
  });
});

describe('when and matrix', () => {
  it('runs an on_failure cleanup after a failure and still ends FAILED', () => {
    const { run } = newRun([[{ name: 'build' }], [{ name: 'deploy' }], [{ name: 'cleanup', when: 2 }]]);
    const step = play(run, ...runJob('build', 'FAILED'));
    expect(statuses(step.run)).toEqual({ build: 'FAILED', deploy: 'SKIPPED', cleanup: 'QUEUED' });
    const done = play(step.run, ...runJob('cleanup'));
    expect(statuses(done.run)).toEqual({ build: 'FAILED', deploy: 'SKIPPED', cleanup: 'SUCCESS' });
    expect(done.run.status).toBe('FAILED');
  });

  it('skips an on_failure cleanup when all went well', () => {
    const { run } = newRun([[{ name: 'build' }], [{ name: 'cleanup', when: 2 }], [{ name: 'deploy' }]]);
    const step = play(run, ...runJob('build'));
    expect(statuses(step.run)).toEqual({ build: 'SUCCESS', cleanup: 'SKIPPED', deploy: 'QUEUED' });
  });

  it('expands a matrix entry into one job run per cell, all of which a need waits for', () => {
    const { run, dispatched } = newRun([
      [{ name: 'test', matrix: [{ name: 'node', values: ['18', '20'] }] }],
      [{ name: 'ship', needs: ['test'] }],
    ]);
    expect(dispatched).toEqual(['test [node=18]', 'test [node=20]']);
    let step = play(run, ...runJob('test [node=18]'));
    expect(step.dispatched).toEqual([]);
    step = play(step.run, ...runJob('test [node=20]'));
    expect(step.dispatched).toEqual(['ship#1']);
  });
});

describe('idempotency', () => {
  it('ignores repeated, stale and out-of-state events', () => {
    const { run } = newRun([[{ name: 'a', maxAttempts: 2 }], [{ name: 'b' }]]);
    const ignored = (state: RunState, event: JobRunEventInput) => {
      const result = applyJobRunEvent(state, event, OPTIONS);
      expect(result.applied).toBe(false);
      return result.applied ? '' : result.ignored;
    };
    expect(ignored(run, started('b'))).toMatch(/never queued/);
    expect(ignored(run, started('zz'))).toMatch(/not part of run/);
    let state = play(run, started('a')).run;
    expect(ignored(state, started('a'))).toMatch(/already started/);
    state = play(state, finished('a', 'FAILED')).run;
    // The retry moved to attempt 2: attempt 1's events no longer count.
    expect(ignored(state, finished('a', 'FAILED'))).toMatch(/not the current attempt/);
    expect(ignored(state, started('a'))).toMatch(/not the current attempt/);
    state = play(state, ...runJob('a', 'SUCCESS', 2), ...runJob('b')).run;
    expect(state.status).toBe('SUCCESS');
    expect(ignored(state, finished('b', 'FAILED'))).toMatch(/already ended SUCCESS/);
    expect(ignored(state, started('b'))).toMatch(/already ended/);
  });

  it('accepts finished without started', () => {
    const { run } = newRun([[{ name: 'a' }]]);
    const step = play(run, finished('a', 'SUCCESS'));
    expect(step.run).toMatchObject({ status: 'SUCCESS', startedAt: at(2), endedAt: at(2) });
  });
});
