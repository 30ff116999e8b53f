import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@fluxi/testkit';
import { describe, expect, it } from 'vitest';
import { maxAtOnce, staysIn, type Stay } from './job-stays.js';
import { statuses, usePoolsFluxi } from './pools-harness.js';

/**
 * Concurrency limits through the gateway: a pool's `maxConcurrent` across two executor
 * processes, a job's `maxConcurrent` and a pipeline's concurrency group. How many ran at
 * once is read from the start and end times the jobs record.
 */

const fluxi = usePoolsFluxi({ flags: { 'pools.lim.maxConcurrent': 3 } });

describe('concurrency limits', () => {
  it('hold a pool at its maxConcurrent across two executor processes, saying so', async () => {
    // Two places each, the pool's limit is 3: three at once take both processes.
    const executorA = await fluxi.startExecutorProcess('lim', 2);
    const executorB = await fluxi.startExecutorProcess('lim', 2);
    const whose = (stay: Stay) =>
      stay.folder.startsWith(executorA.dataDir) ? 'a' : stay.folder.startsWith(executorB.dataDir) ? 'b' : stay.folder;
    const log = join(fluxi.scratch, 'pool-limit.log');
    const gate = join(fluxi.scratch, 'pool-limit.go');
    const id = await fluxi.job({ command: fluxi.gated(log, gate), pool: 'lim' });
    const runs = await Promise.all(Array.from({ length: 8 }, () => fluxi.api.triggerJob(id)));
    await waitFor(async () => (await fluxi.jobRunsOfAll(runs)).filter((j) => j.status === 'RUNNING').length === 3, {
      what: 'three job runs of pool lim to run',
      timeoutMs: 30_000,
    });
    const held = (await fluxi.jobRunsOfAll(runs)).filter((j) => j.status === 'QUEUED');
    expect(held.map((j) => j.waitingReason)).toEqual(Array(5).fill('waiting: pool lim at its limit of 3'));
    expect(statuses(await fluxi.jobRunsOfAll(runs))).toEqual([...Array(5).fill('QUEUED'), ...Array(3).fill('RUNNING')]);
    const running = await waitFor(() => (staysIn(log).length === 3 ? staysIn(log) : undefined), {
      what: 'the three running jobs to write their start',
      timeoutMs: 30_000,
    });
    expect(new Set(running.map(whose))).toEqual(new Set(['a', 'b']));

    writeFileSync(gate, '');
    const ended = await Promise.all(runs.map((runId) => fluxi.api.ended(runId)));
    expect(ended.map((run) => run.status)).toEqual(runs.map(() => 'SUCCESS'));
    const stays = staysIn(log);
    expect(stays.filter((stay) => stay.end !== undefined)).toHaveLength(8);
    expect(maxAtOnce(stays)).toBe(3);
    const byExecutor = stays.map(whose);
    expect(byExecutor.filter((w) => w !== 'a' && w !== 'b')).toEqual([]);
    expect(new Set(byExecutor)).toEqual(new Set(['a', 'b']));
  });

  it("hold a job at its maxConcurrent, saying so, and a pipeline's run behind its concurrency group", async () => {
    await fluxi.startExecutor('m', [], 4);
    const log = join(fluxi.scratch, 'job-limit.log');
    const gate = join(fluxi.scratch, 'job-limit.go');
    const id = await fluxi.job({ name: 'one-at-a-time', command: fluxi.gated(log, gate), pool: 'm', maxConcurrent: 1 });
    const runs = await Promise.all(Array.from({ length: 3 }, () => fluxi.api.triggerJob(id)));
    await waitFor(async () => (await fluxi.jobRunsOfAll(runs)).some((j) => j.status === 'RUNNING'), {
      what: 'one job run to run',
      timeoutMs: 30_000,
    });
    const jobRuns = await fluxi.jobRunsOfAll(runs);
    expect(statuses(jobRuns)).toEqual(['QUEUED', 'QUEUED', 'RUNNING']);
    expect(jobRuns.filter((j) => j.status === 'QUEUED').map((j) => j.waitingReason)).toEqual([
      'waiting: job one-at-a-time at its limit of 1 (maxConcurrent)',
      'waiting: job one-at-a-time at its limit of 1 (maxConcurrent)',
    ]);

    const other = await fluxi.job({ command: 'true', pool: 'm' });
    const pipelineId = await fluxi.api.createPipeline({
      name: 'grouped',
      concurrency: { group: 'deploy-production' },
      stages: [{ name: 'only', entries: [{ jobId: id }, { jobId: other, needs: ['one-at-a-time'] }] }],
    });
    const first = await fluxi.api.trigger(pipelineId);
    const second = await fluxi.api.trigger(pipelineId);
    expect((await fluxi.jobRunsOf(second.id)).map((j) => j.waitingReason)).toEqual([
      'waiting: concurrency group deploy-production',
      'waiting: concurrency group deploy-production',
    ]);
    expect((await fluxi.jobRunsOf(first.id)).find((j) => j.name !== 'one-at-a-time')?.waitingReason).toBe(
      'waiting: for one-at-a-time to end',
    );

    writeFileSync(gate, '');
    const ended = await Promise.all([...runs, first.id, second.id].map((runId) => fluxi.api.ended(runId)));
    expect(ended.map((run) => run.status)).toEqual(ended.map(() => 'SUCCESS'));
    const stays = staysIn(log);
    expect(stays.filter((stay) => stay.end !== undefined)).toHaveLength(5);
    expect(maxAtOnce(stays)).toBe(1);
  });
});
