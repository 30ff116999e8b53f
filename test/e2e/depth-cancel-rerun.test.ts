import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive, waitFor } from '@fluxi/testkit';
import { expect, it } from 'vitest';
import { firstError } from './client.js';
import { describeOnBothStores } from './fixture.js';
import { ms } from './fluxi-api.js';

/** Issue 3 through the gateway, as a client sees it: cancel, rerun and concurrency groups. */
describeOnBothStores('cancel, rerun and concurrency groups, through the gateway', (fluxi) => {
  it('cancels a running job: its processes are gone, the run ends CANCELLED', async () => {
    const job = await fluxi.api.createJob({
      name: 'long-runner',
      command: 'sleep 120 & echo "child $!"; echo "shell $$"; wait',
    });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'cancellable',
      stages: [{ name: 's', entries: [{ jobId: job }] }],
    });
    const created = await fluxi.api.trigger(pipelineId);
    const running = await fluxi.api.jobRunIn(created.id, 'long-runner', 'RUNNING');
    const lines = await fluxi.api.logs(
      running.id,
      (l) => l.some((x) => x.startsWith('child')) && l.some((x) => x.startsWith('shell')),
    );
    const pids = lines.filter((l) => /^(child|shell) \d+$/.test(l)).map((l) => Number(l.split(' ')[1]));
    expect(pids).toHaveLength(2);
    expect(pids.every(processAlive)).toBe(true);
    await fluxi.api.gql.request('mutation ($id: ID!) { cancelPipelineRun(id: $id) { id } }', { id: created.id });
    const run = await fluxi.api.ended(created.id);
    expect(run).toMatchObject({ status: 'CANCELLED', reason: 'cancelled by admin' });
    expect(run.jobRuns[0]).toMatchObject({ status: 'CANCELLED', failureClass: 'CANCELLED' });
    await waitFor(() => pids.every((pid) => !processAlive(pid)), {
      what: 'the job processes to be gone',
      timeoutMs: 15_000,
    });
    const again = await firstError(
      fluxi.api.gql.request('mutation ($id: ID!) { cancelPipelineRun(id: $id) { id } }', { id: created.id }),
    );
    expect(again.code).toBe('CONFLICT');
  });

  it('cancels one job run: what needs it is skipped, its sibling finishes', async () => {
    const slow = await fluxi.api.createJob({ name: 'one-slow', command: 'sleep 60' });
    const quick = await fluxi.api.createJob({ name: 'one-quick', command: 'sleep 0.5; echo done' });
    const next = await fluxi.api.createJob({ name: 'one-next', command: 'echo next' });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'cancel-one',
      stages: [
        { name: 'work', entries: [{ jobId: slow }, { jobId: quick }] },
        { name: 'after', entries: [{ jobId: next, needs: ['one-slow'] }] },
      ],
    });
    const created = await fluxi.api.trigger(pipelineId);
    const running = await fluxi.api.jobRunIn(created.id, 'one-slow', 'RUNNING');
    await fluxi.api.gql.request('mutation ($id: ID!) { cancelJobRun(id: $id, reason: "not needed today") { id } }', {
      id: running.id,
    });
    const run = await fluxi.api.ended(created.id);
    expect(run.status).toBe('CANCELLED');
    expect(run.jobRuns.map((j) => [j.name, j.status, j.reason])).toEqual([
      ['one-slow', 'CANCELLED', 'not needed today'],
      ['one-quick', 'SUCCESS', null],
      ['one-next', 'SKIPPED', 'skipped because one-slow was cancelled'],
    ]);
  });

  it('reruns only the failed jobs, reusing the successful ones with their context and artifacts', async () => {
    const marker = join(fluxi.scratch, 'rerun-ok');
    const make = await fluxi.api.createJob({
      name: 'rr-make',
      command: 'mkdir -p out && echo "made at $FLUXI_JOB_RUN_ID" > out/thing.txt && echo made-value',
      artifacts: ['out/'],
    });
    const check = await fluxi.api.createJob({
      name: 'rr-check',
      command: `cat out/thing.txt; echo "ctx=$$(rr-make)"; test -f ${marker}`,
    });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'rerun-me',
      stages: [
        { name: 'make', entries: [{ jobId: make }] },
        { name: 'check', entries: [{ jobId: check, needs: ['rr-make'] }] },
      ],
    });
    const first = await fluxi.api.ended((await fluxi.api.trigger(pipelineId)).id);
    expect(first.jobRuns.map((j) => j.status)).toEqual(['SUCCESS', 'FAILED']);
    const made = first.jobRuns[0]!;
    writeFileSync(marker, '');

    const { rerunPipelineRun } = await fluxi.api.gql.request<{ rerunPipelineRun: { id: string } }>(
      'mutation ($id: ID!) { rerunPipelineRun(id: $id, failedOnly: true) { id } }',
      { id: first.id },
    );
    const second = await fluxi.api.ended(rerunPipelineRun.id);
    expect(second).toMatchObject({ status: 'SUCCESS', rerunOf: first.id, failedOnly: true, trigger: 'rerun' });
    expect(second.number).toBe(first.number + 1);
    expect(second.jobRuns[0]).toMatchObject({ status: 'SUCCESS', reusedFrom: made.id });
    expect(second.jobRuns[0]!.artifacts.map((a) => a.path)).toEqual(['out/thing.txt']);
    const checked = second.jobRuns[1]!;
    expect(checked.status).toBe('SUCCESS');
    const lines = await fluxi.api.logs(checked.id, (l) => l.some((x) => x.startsWith('ctx=')));
    expect(lines).toContain(`made at ${made.id}`);
    expect(lines).toContain('ctx=made-value');

    const { rerunPipelineRun: full } = await fluxi.api.gql.request<{ rerunPipelineRun: { id: string } }>(
      'mutation ($id: ID!) { rerunPipelineRun(id: $id) { id } }',
      { id: first.id },
    );
    const third = await fluxi.api.ended(full.id);
    expect(third).toMatchObject({ status: 'SUCCESS', rerunOf: first.id, failedOnly: false });
    expect(third.jobRuns.map((j) => [j.status, j.reusedFrom])).toEqual([
      ['SUCCESS', null],
      ['SUCCESS', null],
    ]);
    const fresh = await fluxi.api.logs(third.jobRuns[1]!.id, (l) => l.some((x) => x.startsWith('made at')));
    expect(fresh).toContain(`made at ${third.jobRuns[0]!.id}`);
  });

  it('serialises two runs of one concurrency group, in order', async () => {
    const deploy = await fluxi.api.createJob({ name: 'deploy-prod', command: 'echo deploying; sleep 1' });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'deploy-production',
      concurrency: { group: 'deploy-production' },
      stages: [{ name: 'deploy', entries: [{ jobId: deploy }] }],
    });
    const first = await fluxi.api.trigger(pipelineId);
    const second = await fluxi.api.trigger(pipelineId);
    expect(first.waiting).toBe(false);
    expect(second).toMatchObject({ waiting: true, status: 'PENDING', concurrencyGroup: 'deploy-production' });
    const [a, b] = [await fluxi.api.ended(first.id), await fluxi.api.ended(second.id)];
    expect([a.status, b.status]).toEqual(['SUCCESS', 'SUCCESS']);
    expect(ms(b.jobRuns[0]!.startedAt)).toBeGreaterThanOrEqual(ms(a.jobRuns[0]!.endedAt));
    expect(b.waiting).toBe(false);
  });

  it('cancels the older run of a group when the pipeline asks for it', async () => {
    const deploy = await fluxi.api.createJob({ name: 'deploy-stage', command: 'sleep 60' });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'deploy-staging',
      concurrency: { group: 'deploy-staging', cancelOlder: true },
      stages: [{ name: 'deploy', entries: [{ jobId: deploy }] }],
    });
    const first = await fluxi.api.trigger(pipelineId);
    await fluxi.api.jobRunIn(first.id, 'deploy-stage', 'RUNNING');
    const second = await fluxi.api.trigger(pipelineId);
    expect(second.waiting).toBe(false);
    const older = await fluxi.api.ended(first.id);
    expect(older).toMatchObject({
      status: 'CANCELLED',
      reason: 'cancelled: a newer run of concurrency group deploy-staging started',
    });
    await fluxi.api.jobRunIn(second.id, 'deploy-stage', 'RUNNING');
    await fluxi.api.gql.request('mutation ($id: ID!) { cancelPipelineRun(id: $id) { id } }', { id: second.id });
    expect((await fluxi.api.ended(second.id)).status).toBe('CANCELLED');
  });
});
