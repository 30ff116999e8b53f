import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, loadConfig, settlesWithin, type Logger } from '@fluxi/common';
import { startFluxi, type FluxiSystem } from '@fluxi/server';
import { tempDir, waitFor } from '@fluxi/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { client } from './client.js';
import { startExecutorProcess, type ExecutorProcess } from './executor-process.js';
import { FluxiApi, type JobInput } from './fluxi-api.js';

/**
 * Pools, tags and limits through the gateway: the services of one Fluxi without an
 * executor of their own, and executors of several pools started beside it (in this
 * process, as `fluxi-server --target executor` runs them, or as processes of their own).
 * Where a job ran is read from its work folder (`<executor dataDir>/work/<jobRunId>`); how
 * many ran at once from the `start`/`end` lines, with their times, that the jobs append to
 * a shared file.
 */

const dir = tempDir('fluxi-pools-');
const scratch = join(dir.path, 'scratch');
let system: FluxiSystem;
let api: FluxiApi;
let logger: Logger;
const executors: FluxiSystem[] = [];
const processes: ExecutorProcess[] = [];
/** Gate files of the test's jobs: created after each test, so that no job is left waiting. */
const gates: string[] = [];
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
      'pools.lim.maxConcurrent': 3,
      'pools.rated.ratePerMinute': 2,
    },
  });
  system = await startFluxi(config, logger, ['catalog', 'logs', 'scheduler', 'gateway']);
  api = new FluxiApi(client(system.url as string, system.adminKey as string));
});

afterEach(async () => {
  for (const gate of gates.splice(0)) writeFileSync(gate, '');
  const stopped = await Promise.all([
    ...executors.splice(0).map((executor) => settlesWithin(executor.stop(), 30_000)),
    // SIGTERM, then SIGKILL after 15 s: the processes never outlive the test.
    ...processes.splice(0).map((executor) => executor.stop(15_000).then(() => true)),
  ]);
  if (stopped.includes(false)) throw new Error('an executor of this process did not stop within 30 s');
});

afterAll(async () => {
  await system?.stop();
  dir.remove();
});

/** The settings of an executor of `pool` (short intervals: the tests wait for what they do). */
function executorSettings(pool: string, tags: string[], concurrency: number): Record<string, string | number> {
  return {
    'executor.name': `pools-${executorCount}`,
    'executor.pool': pool,
    'executor.tags': tags.join(','),
    'executor.concurrency': concurrency,
    'executor.queueWatchSec': 0.2,
    'executor.heartbeatSec': 0.5,
    'executor.killGraceSec': 1,
    'executor.shutdownGraceSec': 5,
  };
}

/** Starts an executor of `pool` with `tags` in this process; returns its data folder. */
async function startExecutor(
  pool: string,
  tags: string[] = [],
  concurrency = 4,
  more: Record<string, string | number> = {},
): Promise<string> {
  const dataDir = join(dir.path, `executor-${++executorCount}-${pool}`);
  const config = loadConfig({
    flags: {
      dataDir,
      'nats.url': system.natsUrl,
      'redis.url': system.redisUrl,
      'log.console': false,
      ...executorSettings(pool, tags, concurrency),
      ...more,
    },
  });
  executors.push(await startFluxi(config, logger, 'executor'));
  return dataDir;
}

/** Starts an executor of `pool` as a process of its own (`fluxi-server --target executor`). */
async function startExecutorOsProcess(pool: string, concurrency: number): Promise<ExecutorProcess> {
  const dataDir = join(dir.path, `executor-${++executorCount}-${pool}-process`);
  const executor = await startExecutorProcess({
    natsUrl: system.natsUrl,
    redisUrl: system.redisUrl,
    dataDir,
    settings: executorSettings(pool, [], concurrency),
  });
  processes.push(executor);
  return executor;
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

/**
 * A command that appends `start <ns> <work folder>` to `log`, waits for `gate` to exist
 * (created by the test, or after it), then appends `end <ns> <work folder>`.
 */
function gated(log: string, gate: string): string {
  gates.push(gate);
  const line = (what: string) => `echo "${what} $(date +%s%N) $(pwd)" >> ${log}`;
  return `${line('start')}; while [ ! -f ${gate} ]; do sleep 0.05; done; ${line('end')}`;
}

/** One job run's stay in its work folder, from its `start` and `end` lines (nanoseconds since the epoch). */
interface Stay {
  folder: string;
  start: bigint;
  end: bigint | undefined;
}

/** The stays recorded in `log` by gated() commands, in the order they started. */
function staysIn(log: string): Stay[] {
  const stays = new Map<string, Stay>();
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const match = /^(start|end) (\d+) (\S+)$/.exec(line);
    if (match === null) throw new Error(`unexpected line in ${log}: ${line}`);
    const [, what, ns = '', folder = ''] = match;
    const stay = stays.get(folder);
    if (what === 'start') stays.set(folder, { folder, start: BigInt(ns), end: undefined });
    else if (stay === undefined) throw new Error(`an end without its start in ${log}: ${line}`);
    else stay.end = BigInt(ns);
  }
  return [...stays.values()].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** The most stays open at one instant, from their times (one that has not ended is open until now). */
function maxAtOnce(stays: readonly Stay[]): number {
  const edges = stays.flatMap((stay) => [
    { at: stay.start, delta: 1 },
    ...(stay.end === undefined ? [] : [{ at: stay.end, delta: -1 }]),
  ]);
  // At the same instant an end comes before a start: the two did not overlap.
  edges.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.delta - b.delta));
  let open = 0;
  let max = 0;
  for (const edge of edges) {
    open += edge.delta;
    max = Math.max(max, open);
  }
  return max;
}

const statuses = (jobRuns: readonly WaitingView[]) => jobRuns.map((j) => j.status).sort();

const EXECUTORS = '{ executors { id pool state pausedReason } }';

interface ExecutorView {
  id: string;
  pool: string;
  state: string;
  pausedReason: string | null;
}

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
    const command = gated(log, gate);
    const ids = await Promise.all([[], ['x'], ['y'], ['x', 'y']].map((tags) => job({ command, pool: 'd', tags })));
    const runs = await Promise.all([...ids, ...ids].map((id) => api.triggerJob(id)));
    await waitFor(() => maxAtOnce(staysIn(log)) === 2, { what: 'two jobs to start', timeoutMs: 30_000 });
    const all = (await Promise.all(runs.map(jobRunsOf))).flat();
    expect(all.filter((j) => j.status === 'RUNNING').length).toBeLessThanOrEqual(2);
    writeFileSync(gate, '');
    const ended = await Promise.all(runs.map((id) => api.ended(id)));
    expect(ended.map((run) => run.status)).toEqual(runs.map(() => 'SUCCESS'));
    const stays = staysIn(log);
    expect(stays.filter((stay) => stay.end !== undefined)).toHaveLength(8);
    expect(maxAtOnce(stays)).toBe(2);
  });
});

describe('limits', () => {
  it('hold a pool at its maxConcurrent across two executor processes, saying so', async () => {
    // Two places each, the pool's limit is 3: three at once take both processes.
    const executorA = await startExecutorOsProcess('lim', 2);
    const executorB = await startExecutorOsProcess('lim', 2);
    const whose = (stay: Stay) =>
      stay.folder.startsWith(executorA.dataDir) ? 'a' : stay.folder.startsWith(executorB.dataDir) ? 'b' : stay.folder;
    const log = join(scratch, 'pool-limit.log');
    const gate = join(scratch, 'pool-limit.go');
    const id = await job({ command: gated(log, gate), pool: 'lim' });
    const runs = await Promise.all(Array.from({ length: 8 }, () => api.triggerJob(id)));
    const jobRuns = async () => (await Promise.all(runs.map(jobRunsOf))).flat();
    await waitFor(async () => (await jobRuns()).filter((j) => j.status === 'RUNNING').length === 3, {
      what: 'three job runs of pool lim to run',
      timeoutMs: 30_000,
    });
    const held = (await jobRuns()).filter((j) => j.status === 'QUEUED');
    expect(held.map((j) => j.waitingReason)).toEqual(Array(5).fill('waiting: pool lim at its limit of 3'));
    expect(statuses(await jobRuns())).toEqual([...Array(5).fill('QUEUED'), ...Array(3).fill('RUNNING')]);
    const running = await waitFor(() => (staysIn(log).length === 3 ? staysIn(log) : undefined), {
      what: 'the three running jobs to write their start',
    });
    expect(new Set(running.map(whose))).toEqual(new Set(['a', 'b']));

    writeFileSync(gate, '');
    const ended = await Promise.all(runs.map((runId) => api.ended(runId)));
    expect(ended.map((run) => run.status)).toEqual(runs.map(() => 'SUCCESS'));
    const stays = staysIn(log);
    expect(stays.filter((stay) => stay.end !== undefined)).toHaveLength(8);
    expect(maxAtOnce(stays)).toBe(3);
    const byExecutor = stays.map(whose);
    expect(byExecutor.filter((w) => w !== 'a' && w !== 'b')).toEqual([]);
    expect(new Set(byExecutor)).toEqual(new Set(['a', 'b']));
  });

  it('hold a pool at its ratePerMinute, saying so', async () => {
    // pools.rated.ratePerMinute is 2: of five quick jobs, two start and three wait for the
    // window of a minute to slide. The test does not wait that minute: it cancels them.
    await startExecutor('rated');
    const id = await job({ command: 'true', pool: 'rated' });
    const runs = await Promise.all(Array.from({ length: 4 }, () => api.triggerJob(id)));
    const jobRuns = async (ids: readonly string[]) => (await Promise.all(ids.map(jobRunsOf))).flat();
    await waitFor(async () => (await jobRuns(runs)).filter((j) => j.status === 'SUCCESS').length === 2, {
      what: 'two job runs of pool rated to succeed',
      timeoutMs: 30_000,
    });
    // A trigger after those ends: its dispatch pass (awaited by the trigger) saw their places free.
    runs.push(await api.triggerJob(id));
    const all = await jobRuns(runs);
    expect(statuses(all)).toEqual(['QUEUED', 'QUEUED', 'QUEUED', 'SUCCESS', 'SUCCESS']);
    expect(all.filter((j) => j.status === 'QUEUED').map((j) => j.waitingReason)).toEqual(
      Array(3).fill('waiting: pool rated at its rate limit of 2 per minute'),
    );

    const held = runs.filter((_, i) => all[i]?.status === 'QUEUED');
    for (const runId of held) {
      await api.gql.request('mutation ($id: ID!) { cancelPipelineRun(id: $id) { id } }', { id: runId });
    }
    const cancelled = await Promise.all(held.map((runId) => api.ended(runId)));
    expect(cancelled.map((run) => run.status)).toEqual(held.map(() => 'CANCELLED'));
    // Never started: the one attempt of each ended without a start.
    expect(cancelled.flatMap((run) => run.jobRuns.flatMap((j) => j.attempts.map((a) => a.startedAt)))).toEqual(
      held.map(() => null),
    );
  });

  it('say when every executor of the pool is paused by its host admission thresholds', async () => {
    // No host has this much free memory: the executor takes nothing, and says why.
    await startExecutor('full', [], 4, { 'executor.admission.minFreeMemoryMiB': 1_000_000_000 });
    const problem = /^free memory \d+ MiB is under 1000000000 MiB$/;
    const listed = await waitFor(
      async () => {
        const data = await api.gql.request<{ executors: ExecutorView[] }>(EXECUTORS);
        return data.executors.find((e) => e.pool === 'full' && e.pausedReason !== null);
      },
      { what: 'the executor of pool full to say it is paused', timeoutMs: 30_000 },
    );
    expect(listed.state).toBe('IDLE');
    expect(listed.pausedReason).toMatch(problem);

    const runId = await api.triggerJob(await job({ command: 'true', pool: 'full' }));
    const waiting = await waitFor(
      async () => {
        const jobRun = await jobRunOf(runId);
        return jobRun.waitingReason?.startsWith('waiting: every executor in pool full is paused: ')
          ? jobRun
          : undefined;
      },
      { what: 'the job run of pool full to say the executor is paused', timeoutMs: 30_000 },
    );
    expect(waiting.status).toBe('QUEUED');
    expect(waiting.waitingReason?.slice('waiting: every executor in pool full is paused: '.length)).toMatch(problem);
    await api.gql.request('mutation ($id: ID!) { cancelPipelineRun(id: $id) { id } }', { id: runId });
    expect((await api.ended(runId)).status).toBe('CANCELLED');
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
    const stays = staysIn(log);
    expect(stays.filter((stay) => stay.end !== undefined)).toHaveLength(5);
    expect(maxAtOnce(stays)).toBe(1);
  });
});
