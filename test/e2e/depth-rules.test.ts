import { join } from 'node:path';
import { waitFor } from '@fluxi/testkit';
import { expect, it } from 'vitest';
import { describeOnBothStores } from './fixture.js';
import { ms } from './fluxi-api.js';

/** Issue 3 through the gateway, as a client sees it: DAG, failure rules, retries and timeouts. */
describeOnBothStores('DAG, failure rules, retries and timeouts, through the gateway', (fluxi) => {
  it('runs a diamond DAG in dependency order, across stage boundaries', async () => {
    const job = (name: string) => fluxi.api.createJob({ name, command: `echo ${name}; sleep 0.3` });
    const [a, b, c, d, late] = await Promise.all(['dia-a', 'dia-b', 'dia-c', 'dia-d', 'dia-late'].map(job));
    const pipelineId = await fluxi.api.createPipeline({
      name: 'diamond',
      stages: [
        { name: 'one', entries: [{ jobId: a as string }] },
        {
          name: 'two',
          entries: [
            { jobId: b as string, needs: ['dia-a'] },
            { jobId: c as string, needs: ['dia-a'] },
            { jobId: late as string },
          ],
        },
        { name: 'three', entries: [{ jobId: d as string, needs: ['dia-b', 'dia-c'] }] },
      ],
    });
    const created = await fluxi.api.trigger(pipelineId, { branch: 'main', commit: '0123abc' });
    expect(created).toMatchObject({ trigger: 'manual', triggeredByName: 'admin', branch: 'main', commit: '0123abc' });
    const run = await fluxi.api.ended(created.id);
    expect(run.status).toBe('SUCCESS');
    const at = Object.fromEntries(run.jobRuns.map((j) => [j.name, { start: ms(j.startedAt), end: ms(j.endedAt) }]));
    expect(at['dia-b']!.start).toBeGreaterThanOrEqual(at['dia-a']!.end);
    expect(at['dia-c']!.start).toBeGreaterThanOrEqual(at['dia-a']!.end);
    expect(at['dia-d']!.start).toBeGreaterThanOrEqual(Math.max(at['dia-b']!.end, at['dia-c']!.end));
    // d needs only b and c: it does not wait for the rest of stage two.
    expect(run.stages.map((s) => [s.name, s.status])).toEqual([
      ['one', 'SUCCESS'],
      ['two', 'SUCCESS'],
      ['three', 'SUCCESS'],
    ]);
    expect(ms(run.stages[0]!.endedAt)).toBe(at['dia-a']!.end);
    expect(run.jobRuns.every((j) => j.attempts.length === 1 && j.attempts[0]!.status === 'SUCCESS')).toBe(true);
  });

  it('lets a run pass with warnings past an allowed failure', async () => {
    const flaky = await fluxi.api.createJob({
      name: 'warn-lint',
      command: 'echo style issues; exit 2',
      allowFailure: true,
    });
    const build = await fluxi.api.createJob({ name: 'warn-build', command: 'echo built' });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'warnings',
      stages: [
        { name: 'check', entries: [{ jobId: flaky }] },
        { name: 'build', entries: [{ jobId: build }] },
      ],
    });
    const run = await fluxi.api.ended((await fluxi.api.trigger(pipelineId)).id);
    expect(run).toMatchObject({ status: 'SUCCESS', warnings: true });
    expect(run.jobRuns.map((j) => [j.name, j.status, j.exitCode, j.failureClass])).toEqual([
      ['warn-lint', 'FAILED', 2, 'JOB'],
      ['warn-build', 'SUCCESS', 0, null],
    ]);
  });

  it('runs an on_failure cleanup after a failure, skips the rest, and ends FAILED', async () => {
    const build = await fluxi.api.createJob({ name: 'cf-build', command: 'echo compiling; exit 1' });
    const deploy = await fluxi.api.createJob({ name: 'cf-deploy', command: 'echo deploying' });
    const cleanup = await fluxi.api.createJob({ name: 'cf-cleanup', command: 'echo cleaning up' });
    const report = await fluxi.api.createJob({ name: 'cf-report', command: 'echo report' });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'cleanup-on-failure',
      stages: [
        { name: 'build', entries: [{ jobId: build }] },
        { name: 'deploy', entries: [{ jobId: deploy }] },
        {
          name: 'after',
          entries: [
            { jobId: cleanup, when: 'ON_FAILURE' },
            { jobId: report, when: 'ALWAYS' },
          ],
        },
      ],
    });
    const run = await fluxi.api.ended((await fluxi.api.trigger(pipelineId)).id);
    expect(run.status).toBe('FAILED');
    expect(run.jobRuns.map((j) => [j.name, j.status])).toEqual([
      ['cf-build', 'FAILED'],
      ['cf-deploy', 'SKIPPED'],
      ['cf-cleanup', 'SUCCESS'],
      ['cf-report', 'SUCCESS'],
    ]);
    expect(run.jobRuns[1]!.reason).toBe('skipped because cf-build failed');
    expect(run.stages.map((s) => s.status)).toEqual(['FAILED', 'SKIPPED', 'SUCCESS']);
  });

  it('retries a failed job with backoff, each attempt with its own record and logs', async () => {
    const job = await fluxi.api.createJob({
      name: 'retry-me',
      command: 'echo "attempt $FLUXI_ATTEMPT"; [ "$FLUXI_ATTEMPT" -ge 2 ] || exit 75',
      maxAttempts: 3,
      retry: { exitCodes: [75], backoff: 'EXPONENTIAL', delaySec: 0.3, maxDelaySec: 5 },
    });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'retries',
      stages: [{ name: 's', entries: [{ jobId: job }] }],
    });
    const run = await fluxi.api.ended((await fluxi.api.trigger(pipelineId)).id);
    expect(run.status).toBe('SUCCESS');
    const jobRun = run.jobRuns[0]!;
    expect(jobRun.attempt).toBe(2);
    expect(jobRun.attempts.map((a) => [a.attempt, a.status, a.exitCode, a.failureClass])).toEqual([
      [1, 'FAILED', 75, 'JOB'],
      [2, 'SUCCESS', 0, null],
    ]);
    // The backoff: the second attempt started at least the delay after the first ended.
    expect(ms(jobRun.attempts[1]!.startedAt)).toBeGreaterThanOrEqual(ms(jobRun.attempts[0]!.endedAt) + 300);
    expect(await fluxi.api.logs(jobRun.id, (l) => l.includes('attempt 1'), 1)).not.toContain('attempt 2');
    expect(await fluxi.api.logs(jobRun.id, (l) => l.includes('attempt 2'), 2)).not.toContain('attempt 1');
  });

  it('does not retry a failure the job does not list', async () => {
    const job = await fluxi.api.createJob({
      name: 'retry-infra-only',
      command: 'exit 4',
      maxAttempts: 3,
      retry: { on: ['INFRASTRUCTURE'] },
    });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'no-retry',
      stages: [{ name: 's', entries: [{ jobId: job }] }],
    });
    const run = await fluxi.api.ended((await fluxi.api.trigger(pipelineId)).id);
    expect(run.jobRuns[0]).toMatchObject({ status: 'FAILED', attempt: 1, exitCode: 4, failureClass: 'JOB' });
  });

  it('retries infrastructure failures when the job asks for that only', async () => {
    const job = await fluxi.api.createJob({
      name: 'retry-infra',
      command: 'echo never runs',
      workdir: join(fluxi.scratch, 'no-such-folder'),
      maxAttempts: 2,
      retry: { on: ['INFRASTRUCTURE'] },
    });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'infra-retry',
      stages: [{ name: 's', entries: [{ jobId: job }] }],
    });
    const run = await fluxi.api.ended((await fluxi.api.trigger(pipelineId)).id);
    expect(run.jobRuns[0]!.attempts.map((a) => [a.attempt, a.status, a.failureClass])).toEqual([
      [1, 'FAILED', 'INFRASTRUCTURE'],
      [2, 'FAILED', 'INFRASTRUCTURE'],
    ]);
    expect(run.jobRuns[0]!.reason).toMatch(/does not exist/);
  });

  it('cancels a job run waiting out its retry delay: the queued attempt is removed', async () => {
    const job = await fluxi.api.createJob({
      name: 'retry-later',
      command: 'exit 1',
      maxAttempts: 3,
      retry: { delaySec: 60 },
    });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'retry-later',
      stages: [{ name: 's', entries: [{ jobId: job }] }],
    });
    const created = await fluxi.api.trigger(pipelineId);
    await waitFor(async () => (await fluxi.api.run(created.id)).jobRuns[0]!.attempt === 2, {
      what: 'the retry to be queued',
    });
    await fluxi.api.gql.request('mutation ($id: ID!) { cancelPipelineRun(id: $id) { id } }', { id: created.id });
    const run = await fluxi.api.ended(created.id);
    expect(run.status).toBe('CANCELLED');
    expect(run.jobRuns[0]!.attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'FAILED'],
      [2, 'CANCELLED'],
    ]);
    expect(run.jobRuns[0]!.attempts[1]!.startedAt).toBeNull();
  });

  it('fails a job past its timeout with the reason, and a run past the pipeline timeout', async () => {
    const slow = await fluxi.api.createJob({ name: 'too-slow', command: 'sleep 30', timeoutSec: 1 });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'job-timeout',
      stages: [{ name: 's', entries: [{ jobId: slow }] }],
    });
    const run = await fluxi.api.ended((await fluxi.api.trigger(pipelineId)).id);
    expect(run.status).toBe('FAILED');
    expect(run.jobRuns[0]).toMatchObject({ status: 'FAILED', failureClass: 'TIMEOUT', reason: 'timed out after 1s' });

    const sleepy = await fluxi.api.createJob({ name: 'sleepy', command: 'sleep 30' });
    const after = await fluxi.api.createJob({ name: 'after-sleepy', command: 'echo never' });
    const timed = await fluxi.api.createPipeline({
      name: 'run-timeout',
      timeoutSec: 2,
      stages: [
        { name: 's', entries: [{ jobId: sleepy }] },
        { name: 't', entries: [{ jobId: after }] },
      ],
    });
    const timedOut = await fluxi.api.ended((await fluxi.api.trigger(timed)).id);
    expect(timedOut).toMatchObject({ status: 'FAILED', reason: 'the pipeline run timed out after 2s' });
    expect(timedOut.jobRuns.map((j) => [j.status, j.failureClass])).toEqual([
      ['FAILED', 'TIMEOUT'],
      ['SKIPPED', null],
    ]);
  });
});
