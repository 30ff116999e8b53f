import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, loadConfig, settlesWithin, type Logger } from '@fluxi/common';
import { startFluxi, type FluxiSystem } from '@fluxi/server';
import { createTestDatabase, tempDir, type TestDatabase } from '@fluxi/testkit';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { client } from './client.js';
import { NOT_EXITED, startExecutorProcess, type ExecutorProcess } from './executor-process.js';
import { FluxiApi, type JobInput } from './fluxi-api.js';
import { gatedCommand } from './job-stays.js';

/**
 * The pool tests' Fluxi: its services without an executor of their own, and executors of
 * several pools started beside it by the tests (in this process, as `fluxi-server --target
 * executor` runs them, or as processes of their own). Where a job ran is read from its work
 * folder (`<executor dataDir>/work/<jobRunId>`). After each test every gate is created (no
 * job is left waiting) and every executor is stopped, each stop bounded.
 */

/** A job run and why it waits, as the gateway tells it. */
export interface WaitingView {
  id: string;
  name: string;
  status: string;
  waitingReason: string | null;
}

export interface PoolsFluxiOptions {
  /** Config flags of the services (pool limits: `pools.<name>.*`). */
  flags?: Record<string, string | number | boolean>;
  /** On a fresh database of the real PostgreSQL instead of PGlite (its URL: `databaseUrl`). */
  postgres?: boolean;
}

const JOB_RUN = `query ($id: ID!) { jobRun(id: $id) { id name status waitingReason } }`;
const RUN_JOB_RUNS = `query ($id: ID!) { pipelineRun(id: $id) { jobRuns { id name status waitingReason } } }`;

export class PoolsFluxi {
  private readonly dir = tempDir('fluxi-pools-');
  readonly scratch = join(this.dir.path, 'scratch');
  private started: { system: FluxiSystem; api: FluxiApi; logger: Logger; database?: TestDatabase } | undefined;
  private readonly executors: FluxiSystem[] = [];
  private readonly processes: ExecutorProcess[] = [];
  private readonly gates: string[] = [];
  private executorCount = 0;
  private jobCount = 0;

  private get running(): NonNullable<PoolsFluxi['started']> {
    if (this.started === undefined) throw new Error('the pools Fluxi has not started');
    return this.started;
  }

  get api(): FluxiApi {
    return this.running.api;
  }

  /** The URL of its database when on PostgreSQL (the scheduler's tables are in schema `scheduler`). */
  get databaseUrl(): string {
    const url = this.running.database?.url;
    if (url === undefined) throw new Error('the pools Fluxi runs on PGlite');
    return url;
  }

  async start(options: PoolsFluxiOptions): Promise<void> {
    mkdirSync(this.scratch, { recursive: true });
    const logger = createLogger({ level: 'warn', console: false, dir: join(this.dir.path, 'logs') });
    const database = options.postgres ? await createTestDatabase('fluxi_pools') : undefined;
    const config = loadConfig({
      flags: {
        dataDir: join(this.dir.path, 'main'),
        'gateway.port': 0,
        'log.console': false,
        'scheduler.dispatchIntervalMs': 200,
        ...(database === undefined ? {} : { 'database.url': database.url }),
        ...options.flags,
      },
    });
    const system = await startFluxi(config, logger, ['catalog', 'logs', 'scheduler', 'gateway']);
    const api = new FluxiApi(client(system.url as string, system.adminKey as string));
    this.started = { system, api, logger, ...(database === undefined ? {} : { database }) };
  }

  /** Opens every gate and stops every executor; throws when one did not stop in time. */
  async afterEach(): Promise<void> {
    for (const gate of this.gates.splice(0)) writeFileSync(gate, '');
    const stopped = await Promise.all([
      ...this.executors.splice(0).map((executor) => settlesWithin(executor.stop(), 30_000)),
      // SIGTERM, then SIGKILL after 15 s: the processes never outlive the test.
      ...this.processes.splice(0).map(async (executor) => (await executor.stop(15_000)) !== NOT_EXITED),
    ]);
    if (stopped.includes(false))
      throw new Error('an executor did not stop in time (30 s in this process, 20 s as a process)');
  }

  async stop(): Promise<void> {
    await this.started?.system.stop();
    await this.started?.database?.drop();
    this.dir.remove();
  }

  /** The settings of an executor of `pool` (short intervals: the tests wait for what they do). */
  private settings(pool: string, tags: readonly string[], concurrency: number): Record<string, string | number> {
    return {
      'executor.name': `pools-${this.executorCount}`,
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
  async startExecutor(
    pool: string,
    tags: readonly string[] = [],
    concurrency = 4,
    more: Record<string, string | number> = {},
  ): Promise<string> {
    const { system, logger } = this.running;
    const dataDir = join(this.dir.path, `executor-${++this.executorCount}-${pool}`);
    const config = loadConfig({
      flags: {
        dataDir,
        'nats.url': system.natsUrl,
        'redis.url': system.redisUrl,
        'log.console': false,
        ...this.settings(pool, tags, concurrency),
        ...more,
      },
    });
    this.executors.push(await startFluxi(config, logger, 'executor'));
    return dataDir;
  }

  /** Starts an executor of `pool` as a process of its own (`fluxi-server --target executor`). */
  async startExecutorProcess(
    pool: string,
    concurrency: number,
    more: Record<string, string | number> = {},
  ): Promise<ExecutorProcess> {
    const { system } = this.running;
    const dataDir = join(this.dir.path, `executor-${++this.executorCount}-${pool}-process`);
    const executor = await startExecutorProcess({
      natsUrl: system.natsUrl,
      redisUrl: system.redisUrl,
      dataDir,
      settings: { ...this.settings(pool, [], concurrency), ...more },
    });
    this.processes.push(executor);
    return executor;
  }

  async job(fields: Omit<JobInput, 'name'> & { name?: string }): Promise<string> {
    return this.api.createJob({ name: `job-${++this.jobCount}`, ...fields });
  }

  /** A command recording its start and end in `log` around waiting for `gate` (created after the test at the latest). */
  gated(log: string, gate: string): string {
    this.gates.push(gate);
    return gatedCommand(log, gate);
  }

  async jobRunsOf(runId: string): Promise<WaitingView[]> {
    const data = await this.api.gql.request<{ pipelineRun: { jobRuns: WaitingView[] } }>(RUN_JOB_RUNS, { id: runId });
    return data.pipelineRun.jobRuns;
  }

  /** The first job run of a run, read by the `jobRun` query. */
  async jobRunOf(runId: string): Promise<WaitingView> {
    const [jobRun] = await this.jobRunsOf(runId);
    if (jobRun === undefined) throw new Error(`run ${runId} has no job run`);
    const data = await this.api.gql.request<{ jobRun: WaitingView }>(JOB_RUN, { id: jobRun.id });
    return data.jobRun;
  }

  /** The job runs of several runs, in their order. */
  async jobRunsOfAll(runIds: readonly string[]): Promise<WaitingView[]> {
    return (await Promise.all(runIds.map((runId) => this.jobRunsOf(runId)))).flat();
  }

  /** The work folder the run's one job printed (`pwd`) as its last line; the run must succeed. */
  async workFolder(runId: string): Promise<string> {
    const jobRun = (await this.api.ended(runId)).jobRuns[0];
    expect(jobRun?.status).toBe('SUCCESS');
    const lines = await this.api.logs(jobRun?.id ?? '', (lines) => lines.length > 0);
    return lines.at(-1) ?? '';
  }

  async cancel(runId: string): Promise<void> {
    await this.api.gql.request('mutation ($id: ID!) { cancelPipelineRun(id: $id) { id } }', { id: runId });
  }
}

/** A PoolsFluxi started before the file's first test and stopped after its last, cleaned after each test. */
export function usePoolsFluxi(options: PoolsFluxiOptions = {}): PoolsFluxi {
  const fluxi = new PoolsFluxi();
  beforeAll(() => fluxi.start(options));
  afterEach(() => fluxi.afterEach());
  afterAll(() => fluxi.stop());
  return fluxi;
}

export const statuses = (jobRuns: readonly WaitingView[]): string[] => jobRuns.map((j) => j.status).sort();
