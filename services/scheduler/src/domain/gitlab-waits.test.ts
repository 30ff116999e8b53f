import { describe, expect, it } from 'vitest';
import { jr } from './job-run.fixture.js';
import type { JobRunState } from './model.js';
import { playJobRun } from './manual.js';
import { planRun } from './plan.js';
import { artifactSourcesOf, readiness, release, runOutcome, waitsFor } from './readiness.js';
import { startRun } from './start.js';

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
    // GitLab: what needs an unplayed manual job is skipped when the pipeline is done.
    expect(ended.jobRuns.find((j) => j.name === 'notify')).toMatchObject({
      status: 'SKIPPED',
      reason: 'skipped: waits for manual job run deploy, not played',
    });
    // Played later: the run opens again, and what needs it runs after it.
    const played = playJobRun(ended, 'deploy', NOW);
    expect(played.run.status).toBe('RUNNING');
    expect(played.dispatch.map((j) => j.name)).toEqual(['deploy']);
    expect(played.run.jobRuns.find((j) => j.name === 'notify')).toMatchObject({ status: 'PENDING', reason: null });
    const deployed = played.run.jobRuns.map((j) => (j.name === 'deploy' ? { ...j, status: 'SUCCESS' as const } : j));
    const next = release({ ...played.run, jobRuns: deployed }, NOW);
    expect(next.dispatch.map((j) => j.name)).toEqual(['notify']);
  });

  it('skips, at the end, what waits for an unplayed manual job run further up; playing another leaves them', () => {
    const deploy = jr('deploy', 0, 'PENDING', { when: 'manual', allowFailure: true });
    const other = jr('other', 0, 'PENDING', { when: 'manual', allowFailure: true });
    const notify = jr('notify', 1, 'PENDING', { needs: ['deploy'] });
    const report = jr('report', 2, 'PENDING', { needs: ['notify'] });
    const ended = release(run([deploy, other, notify, report]), NOW).run;
    expect(ended.status).toBe('SUCCESS');
    expect(ended.jobRuns.map((j) => [j.name, j.status, j.reason])).toEqual([
      ['deploy', 'MANUAL', null],
      ['other', 'MANUAL', null],
      ['notify', 'SKIPPED', 'skipped: waits for manual job run deploy, not played'],
      ['report', 'SKIPPED', 'skipped: waits for manual job run deploy, not played'],
    ]);
    expect(playJobRun(ended, 'other', NOW).run.jobRuns.map((j) => j.status)).toEqual([
      'MANUAL',
      'QUEUED',
      'SKIPPED',
      'SKIPPED',
    ]);
    expect(playJobRun(ended, 'deploy', NOW).run.jobRuns.map((j) => j.status)).toEqual([
      'QUEUED',
      'MANUAL',
      'PENDING',
      'PENDING',
    ]);
  });

  it('shows a run held by a manual job run that may not fail as MANUAL (GitLab: blocked) until it is played', () => {
    const deploy = jr('deploy', 0, 'PENDING', { when: 'manual' });
    const after = jr('after', 1, 'PENDING');
    const released = release(run([deploy, after]), NOW);
    expect(released.run.status).toBe('MANUAL');
    expect(released.run.jobRuns.map((j) => j.status)).toEqual(['MANUAL', 'PENDING']);
    expect(() => playJobRun(released.run, 'after', NOW)).toThrow('only a MANUAL job run can be played');
    expect(playJobRun(released.run, 'deploy', NOW).run.status).toBe('RUNNING');
    // A new run whose first job run is one: MANUAL, not PENDING; played, it is QUEUED.
    const fresh = startRun('R2', [jr('deploy', 0, 'PENDING', { when: 'manual' }), jr('after', 1, 'PENDING')], NOW);
    expect(fresh.run.status).toBe('MANUAL');
    const played = playJobRun(fresh.run, 'deploy', NOW);
    expect(played.run.status).toBe('QUEUED');
    expect(played.dispatch.map((j) => j.name)).toEqual(['deploy']);
    // Once it succeeded, what follows it is queued.
    const deployDone = played.run.jobRuns.map((j) => (j.name === 'deploy' ? { ...j, status: 'SUCCESS' as const } : j));
    expect(release({ ...played.run, status: 'RUNNING', jobRuns: deployDone }, NOW).dispatch.map((j) => j.name)).toEqual(
      ['after'],
    );
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
