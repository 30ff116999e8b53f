import { describe, expect, it } from 'vitest';
import { jr } from './job-run.fixture.js';
import type { JobRunState } from './model.js';
import { playJobRun } from './manual.js';
import { planRun } from './plan.js';
import { artifactSourcesOf, readiness, release, runOutcome, waitsFor } from './readiness.js';

describe('GitLab waits: needs: [], artifacts per need, allow_failure exit codes', () => {
  const build = jr('build', 0, 'SUCCESS');
  const docs = jr('docs', 0, 'SUCCESS');

  it('starts an entry that starts at once with the run, taking no artifacts', () => {
    const early = jr('early', 2, 'PENDING', { startAtOnce: true });
    const running = jr('build', 0, 'RUNNING');
    expect(waitsFor(early, [running, early])).toEqual([]);
    expect(readiness(early, [running, early]).state).toBe('ready');
    expect(artifactSourcesOf(early, [build, docs, early])).toEqual([]);
  });

  it('takes the artifacts of artifactsFrom only, among what it waits for; all of them when unset', () => {
    const all = jr('all', 1, 'PENDING');
    const some = jr('some', 1, 'PENDING', { artifactsFrom: ['build'] });
    const none = jr('none', 1, 'PENDING', { artifactsFrom: [] });
    const needs = jr('needs', 1, 'PENDING', { needs: ['build', 'docs'], artifactsFrom: ['docs'] });
    const runs = [build, docs, all, some, none, needs];
    expect(artifactSourcesOf(all, runs).map((r) => r.name)).toEqual(['build', 'docs']);
    expect(artifactSourcesOf(some, runs).map((r) => r.name)).toEqual(['build']);
    expect(artifactSourcesOf(none, runs)).toEqual([]);
    expect(artifactSourcesOf(needs, runs).map((r) => r.name)).toEqual(['docs']);
  });

  it('lets a failure with an allowed exit code pass (with warnings), any other code fail the run', () => {
    const allowed = jr('a', 0, 'FAILED', { exitCode: 3, allowFailureExitCodes: [3, 5] });
    const refused = jr('b', 0, 'FAILED', { exitCode: 4, allowFailureExitCodes: [3] });
    const timedOut = jr('c', 0, 'FAILED', { exitCode: null, allowFailureExitCodes: [3] });
    expect(runOutcome([allowed])).toBe('SUCCESS');
    expect(runOutcome([allowed, refused])).toBe('FAILED');
    expect(runOutcome([timedOut])).toBe('FAILED');
    const next = jr('next', 1, 'PENDING');
    expect(readiness(next, [allowed, next]).state).toBe('ready');
    expect(readiness(next, [refused, next]).state).toBe('blocked');
  });
});

describe('GitLab manual jobs: MANUAL until played', () => {
  const NOW = new Date('2030-01-01T00:00:00Z');
  const run = (jobRuns: JobRunState[]) => ({
    id: 'R',
    status: 'RUNNING' as const,
    reason: null,
    startedAt: NOW,
    endedAt: null,
    jobRuns,
  });

  it('waits in MANUAL once it could start; one that may fail lets later stages and the run go on', () => {
    const build = jr('build', 0, 'SUCCESS');
    const deploy = jr('deploy', 1, 'PENDING', { when: 'manual', allowFailure: true });
    const smoke = jr('smoke', 2, 'PENDING');
    const notify = jr('notify', 2, 'PENDING', { needs: ['deploy'] });
    const released = release(run([build, deploy, smoke, notify]), NOW);
    expect(released.run.jobRuns.map((j) => j.status)).toEqual(['SUCCESS', 'MANUAL', 'QUEUED', 'PENDING']);
    expect(released.dispatch.map((j) => j.name)).toEqual(['smoke']);
    const smokeDone = released.run.jobRuns.map((j) => (j.name === 'smoke' ? { ...j, status: 'SUCCESS' as const } : j));
    const ended = release({ ...released.run, jobRuns: smokeDone }, NOW).run;
    expect(ended.status).toBe('SUCCESS');
    // Played later: the run opens again, and what needs it runs after it.
    const played = playJobRun(ended, 'deploy', NOW);
    expect(played.run.status).toBe('RUNNING');
    expect(played.dispatch.map((j) => j.name)).toEqual(['deploy']);
    const deployed = played.run.jobRuns.map((j) => (j.name === 'deploy' ? { ...j, status: 'SUCCESS' as const } : j));
    const next = release({ ...played.run, jobRuns: deployed }, NOW);
    expect(next.dispatch.map((j) => j.name)).toEqual(['notify']);
  });

  it('holds the run and what follows while a manual job run that may not fail waits', () => {
    const deploy = jr('deploy', 0, 'PENDING', { when: 'manual' });
    const after = jr('after', 1, 'PENDING');
    const released = release(run([deploy, after]), NOW);
    expect(released.run.status).toBe('RUNNING');
    expect(released.run.jobRuns.map((j) => j.status)).toEqual(['MANUAL', 'PENDING']);
    expect(() => playJobRun(released.run, 'after', NOW)).toThrow('only a MANUAL job run can be played');
  });
});

describe("allowFailureExitCodes: the entry's, else the job's", () => {
  it("takes the job's exit codes unless the entry sets its own or its allowFailure", () => {
    const job = { jobId: 'J1', name: 'flaky', allowFailure: false, maxAttempts: 1, allowFailureExitCodes: [3] };
    const planned = planRun({
      stages: [
        {
          name: 's',
          entries: [
            { job, needs: [] },
            { job, name: 'own', needs: [], allowFailureExitCodes: [4] },
            { job, name: 'strict', needs: [], allowFailure: false },
          ],
        },
      ],
    });
    expect(planned.map((plan) => plan.allowFailureExitCodes)).toEqual([[3], [4], []]);
  });
});
