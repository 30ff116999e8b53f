import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, loadConfig, type Logger } from '@fluxi/common';
import { startFluxi, type FluxiSystem } from '@fluxi/server';
import { tempDir, waitFor } from '@fluxi/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { client } from './client.js';
import { FluxiApi, type JobInput } from './fluxi-api.js';

/**
 * Pools, tags and limits through the gateway: the services of one Fluxi without an
 * executor of their own, and executors of several pools started beside it (in this
 * process, as `fluxi-server --target executor` runs them). Where a job ran is read from
 * its work folder (`<executor dataDir>/work/<jobRunId>`); how many ran at once from the
 * `start`/`end` lines the jobs append to a shared file, in the order they happened.
 */

const dir = tempDir('fluxi-pools-');
const scratch = join(dir.path, 'scratch');
let system: FluxiSystem;
let api: FluxiApi;
let logger: Logger;
const executors: FluxiSystem[] = [];
let executorCount = 0;

beforeAll(async () => {
  mkdirSync(scratch, { recursive: true });
  logger = createLogger({ level: 'warn', console: false, dir: join(dir.path, 'logs') });
  const config = loadConfig({
    flags: {
      dataDir: join(dir.path, 'main'),
      'gateway.port': 0,
      'log.console': false,
      'scheduler.dispatchIntervalMs': 200,
      'pools.lim.maxConcurrent': 2,
    },
  });
  system = await startFluxi(config, logger, ['catalog', 'logs', 'scheduler', 'gateway']);
  api = new FluxiApi(client(system.url as string, system.adminKey as string));
});

afterEach(async () => {
  for (const executor of executors.splice(0)) await executor.stop();
});

afterAll(async () => {
  await system?.stop();
  dir.remove();
});

/** Starts an executor of `pool` with `tags`; returns its data folder. */
async function startExecutor(pool: string, tags: string[] = [], concurrency = 4): Promise<string> {
  const dataDir = join(dir.path, `executor-${++executorCount}-${pool}`);
  const config = loadConfig({
    flags: {
      dataDir,
      'nats.url': system.natsUrl,
      'redis.url': system.redisUrl,
      'log.console': false,
      'executor.pool': pool,
      'executor.tags': tags.join(','),
      'executor.concurrency': concurrency,
      'executor.queueWatchSec': 0.2,
      'executor.heartbeatSec': 0.5,
      'executor.killGraceSec': 1,
      'executor.shutdownGraceSec': 5,
    },
  });
  executors.push(await startFluxi(config, logger, 'executor'));
  return dataDir;
}

const JOB_RUN = `query ($id: ID!) { jobRun(id: $id) { id name status waitingReason } }`;
const RUN_WAITING = `query ($id: ID!) { pipelineRun(id: $id) { status jobRuns { id name status waitingReason } } }`;

interface WaitingView {
  id: string;
  name: string;
  status: string;
  waitingReason: string | null;
}

async function jobRunsOf(runId: string): Promise<WaitingView[]> {
  const data = await api.gql.request<{ pipelineRun: { jobRuns: WaitingView[] } }>(RUN_WAITING, { id: runId });
  return data.pipelineRun.jobRuns;
}

async function jobRunOf(runId: string): Promise<WaitingView> {
  const [jobRun] = await jobRunsOf(runId);
  if (jobRun === undefined) throw new Error(`run ${runId} has no job run`);
  const data = await api.gql.request<{ jobRun: WaitingView }>(JOB_RUN, { id: jobRun.id });
  return data.jobRun;
}

/** The work folder the job printed (`pwd`) as its last line. */
async function workFolder(runId: string): Promise<string> {
  const jobRun = (await api.ended(runId)).jobRuns[0];
  expect(jobRun?.status).toBe('SUCCESS');
  const lines = await api.logs(jobRun?.id ?? '', (lines) => lines.length > 0);
  return lines.at(-1) ?? '';
}

let jobCount = 0;
async function job(fields: Omit<JobInput, 'name'> & { name?: string }): Promise<string> {
  return api.createJob({ name: `job-${++jobCount}`, ...fields });
}

/** A command that appends `start`, waits for `gate` to exist, appends `end` (lines of `log`). */
function gated(log: string, gate: string): string {
  return `echo "start $FLUXI_MARK" >> ${log}; while [ ! -f ${gate} ]; do sleep 0.05; done; echo "end $FLUXI_MARK" >> ${log}`;
}

/** The most `start` lines without their `end` at any point of the file. */
function maxAtOnce(log: string): number {
  let open = 0;
  let max = 0;
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    if (line.startsWith('start')) max = Math.max(max, ++open);
    if (line.startsWith('end')) open -= 1;
  }
  return max;
}

const statuses = (jobRuns: readonly WaitingView[]) => jobRuns.map((j) => j.status).sort();

describe('pools and tags', () => {
  it('route each job to the executors of its pool that carry its tags', async () => {
    const a = await startExecutor('a');
    const b = await startExecutor('b', ['gpu']);
    const inA = await job({ command: 'pwd', pool: 'a' });
    const inBGpu = await job({ command: 'pwd', pool: 'b', tags: ['gpu'] });
    const inB = await job({ command: 'pwd', pool: 'b' });
    const runs = await Promise.all([inA, inBGpu, inB, inA, inBGpu].map((id) => api.triggerJob(id)));
    const folders = await Promise.all(runs.map(workFolder));
    expect(folders.map((folder) => (folder.startsWith(a) ? 'a' : folder.startsWith(b) ? 'b' : folder))).toEqual([
      'a',
      'b',
      'b',
      'a',
      'b',
    ]);
  });

  it('keep a job no executor can take QUEUED with the exact reason, and run it once one can', async () => {
    await startExecutor('b', ['gpu']);
    const noPool = await api.triggerJob(await job({ command: 'pwd', pool: 'c' }));
    const noTags = await api.triggerJob(await job({ command: 'pwd', pool: 'b', tags: ['gpu', 'arm64'] }));
    await waitFor(async () => (await jobRunOf(noPool)).waitingReason === 'waiting: no executor in pool c', {
      what: 'the reason of the job of pool c',
      timeoutMs: 30_000,
    });
    expect(await jobRunOf(noPool)).toMatchObject({ status: 'QUEUED', waitingReason: 'waiting: no executor in pool c' });
    await waitFor(
      async () => (await jobRunOf(noTags)).waitingReason === 'waiting: no executor in pool b has tags [gpu, arm64]',
      { what: 'the reason of the job needing arm64', timeoutMs: 30_000 },
    );
    expect((await jobRunOf(noTags)).status).toBe('QUEUED');

    const c = await startExecutor('c');
    expect((await workFolder(noPool)).startsWith(c)).toBe(true);
    const armed = await startExecutor('b', ['arm64', 'gpu']);
    expect((await workFolder(noTags)).startsWith(armed)).toBe(true);
  });

  it('never run more attempts on one executor than its concurrency, across the queues it reads', async () => {
    await startExecutor('d', ['x', 'y'], 2);
    const log = join(scratch, 'executor-concurrency.log');
    const gate = join(scratch, 'executor-concurrency.go');
    const ids = await Promise.all(
      [[], ['x'], ['y'], ['x', 'y']].map((tags) =>
        job({ command: gated(log, gate), pool: 'd', tags, env: [{ name: 'FLUXI_MARK', value: tags.join('+') }] }),
      ),
    );
    const runs = await Promise.all([...ids, ...ids].map((id) => api.triggerJob(id)));
    await waitFor(async () => existsSync(log) && maxAtOnce(log) === 2, { what: 'two jobs to start' });
    const all = (await Promise.all(runs.map(jobRunsOf))).flat();
    expect(all.filter((j) => j.status === 'RUNNING').length).toBeLessThanOrEqual(2);
    writeFileSync(gate, '');
    const ended = await Promise.all(runs.map((id) => api.ended(id)));
    expect(ended.map((run) => run.status)).toEqual(runs.map(() => 'SUCCESS'));
    expect(maxAtOnce(log)).toBe(2);
  });
});

describe('limits', () => {
  it('hold a pool at its maxConcurrent across its executors, saying so', async () => {
    await startExecutor('lim', [], 3);
    await startExecutor('lim', [], 3);
    const log = join(scratch, 'pool-limit.log');
    const gate = join(scratch, 'pool-limit.go');
    const id = await job({ command: gated(log, gate), pool: 'lim' });
    const runs = await Promise.all(Array.from({ length: 6 }, () => api.triggerJob(id)));
    const jobRuns = async () => (await Promise.all(runs.map(jobRunsOf))).flat();
    await waitFor(async () => (await jobRuns()).filter((j) => j.status === 'RUNNING').length === 2, {
      what: 'two job runs of pool lim to run',
      timeoutMs: 30_000,
    });
    const held = (await jobRuns()).filter((j) => j.status === 'QUEUED');
    expect(held.map((j) => j.waitingReason)).toEqual(Array(4).fill('waiting: pool lim at its limit of 2'));
    expect(statuses(await jobRuns())).toEqual(['QUEUED', 'QUEUED', 'QUEUED', 'QUEUED', 'RUNNING', 'RUNNING']);
    writeFileSync(gate, '');
    const ended = await Promise.all(runs.map((runId) => api.ended(runId)));
    expect(ended.map((run) => run.status)).toEqual(runs.map(() => 'SUCCESS'));
    expect(maxAtOnce(log)).toBe(2);
  });

  it("hold a job at its maxConcurrent, saying so, and a pipeline's run behind its concurrency group", async () => {
    await startExecutor('m', [], 4);
    const log = join(scratch, 'job-limit.log');
    const gate = join(scratch, 'job-limit.go');
    const id = await job({ name: 'one-at-a-time', command: gated(log, gate), pool: 'm', maxConcurrent: 1 });
    const runs = await Promise.all(Array.from({ length: 3 }, () => api.triggerJob(id)));
    const jobRuns = async () => (await Promise.all(runs.map(jobRunsOf))).flat();
    await waitFor(async () => (await jobRuns()).some((j) => j.status === 'RUNNING'), {
      what: 'one job run to run',
      timeoutMs: 30_000,
    });
    expect(statuses(await jobRuns())).toEqual(['QUEUED', 'QUEUED', 'RUNNING']);
    expect((await jobRuns()).filter((j) => j.status === 'QUEUED').map((j) => j.waitingReason)).toEqual([
      'waiting: job one-at-a-time at its limit of 1 (maxConcurrent)',
      'waiting: job one-at-a-time at its limit of 1 (maxConcurrent)',
    ]);

    const other = await job({ command: 'true', pool: 'm' });
    const pipelineId = await api.createPipeline({
      name: 'grouped',
      concurrency: { group: 'deploy-production' },
      stages: [{ name: 'only', entries: [{ jobId: id }, { jobId: other, needs: ['one-at-a-time'] }] }],
    });
    const first = await api.trigger(pipelineId);
    const second = await api.trigger(pipelineId);
    expect((await jobRunsOf(second.id)).map((j) => j.waitingReason)).toEqual([
      'waiting: concurrency group deploy-production',
      'waiting: concurrency group deploy-production',
    ]);
    expect((await jobRunsOf(first.id)).find((j) => j.name !== 'one-at-a-time')?.waitingReason).toBe(
      'waiting: for one-at-a-time to end',
    );

    writeFileSync(gate, '');
    const ended = await Promise.all([...runs, first.id, second.id].map((runId) => api.ended(runId)));
    expect(ended.map((run) => run.status)).toEqual(ended.map(() => 'SUCCESS'));
    expect(maxAtOnce(log)).toBe(1);
  });
});
