import { createLogger, loadConfig, silentLogger } from '@fluxi/common';
import { connectNats, type Nats } from '@fluxi/messaging';
import { startFluxi, type FluxiSystem } from '@fluxi/server';
import { tempDir, waitFor } from '@fluxi/testkit';
import { afterAll, beforeAll, expect } from 'vitest';
import { client } from './client.js';
import { FluxiApi } from './fluxi-api.js';

/**
 * A Fluxi for the log tests through the gateway (logs-storage, logs-search, logs-retention), with
 * a small line length and per-attempt cap and a retention pass every second, and the calls they share.
 */

/** executor.maxLogBytesPerAttempt of the Fluxi. */
export const CAP_BYTES = 64 * 1024;
/** executor.maxLineBytes of the Fluxi. */
export const MAX_LINE = 1024;
export const DAY = 86_400_000;

export interface Line {
  seq: number;
  stream: string;
  text: string;
  level: string;
  attempt: number;
}

export interface Hit extends Line {
  pipelineRunId: string;
  pipelineId: string;
  jobRunId: string;
  jobId: string;
  jobName: string;
  ts: string;
  before: Line[];
  after: Line[];
}

export interface SearchPage {
  hits: Hit[];
  nextCursor: string | null;
  hasMore: boolean;
}

/** A job run on its own to its end: its run, job id and job run. */
export interface RanJob {
  runId: string;
  jobId: string;
  jobRunId: string;
  lastAttempt: number;
}

/** A running Fluxi for the tests of one file; `system`, `api` and `nats` are filled in before the first test. */
export interface LogsFluxi {
  system: FluxiSystem;
  api: FluxiApi;
  /** A NATS connection to the Fluxi's server, to publish as an executor would. */
  nats: Nats;
  /** The data folder; jobs may write marker files into it. */
  dir: string;
  /** One page of searchLogs. */
  search(variables: Record<string, unknown>): Promise<SearchPage>;
  /** The latest attempt's lines of a job run (jobRunLogs), of the given levels only if some are given. */
  levelLines(jobRunId: string, levels?: string[]): Promise<Line[]>;
  /** Runs a job on its own to its end, which must have `status` (SUCCESS unless given). */
  runJob(name: string, command: string, status?: string): Promise<RanJob>;
  /** Waits until the job run's latest attempt has at least `count` lines stored. */
  stored(jobRunId: string, count: number): Promise<boolean>;
}

const LINE = 'seq stream text level attempt';
const SEARCH = `query ($query: String, $filter: LogSearchFilter, $order: LogSearchOrder, $context: Int, $first: Int, $after: String) {
  searchLogs(query: $query, filter: $filter, order: $order, context: $context, first: $first, after: $after) {
    hits { pipelineRunId pipelineId jobRunId jobId jobName ts ${LINE} before { ${LINE} } after { ${LINE} } }
    nextCursor hasMore
  }
}`;

/** Starts one Fluxi before the file's tests and stops it after them. */
export function startLogsFluxi(): LogsFluxi {
  const dir = tempDir('fluxi-e2e-logs-search-');
  const fluxi = { dir: dir.path } as LogsFluxi;

  beforeAll(async () => {
    const config = loadConfig({
      flags: {
        dataDir: dir.path,
        'gateway.port': 0,
        'log.console': false,
        'executor.concurrency': 4,
        'executor.killGraceSec': 1,
        'executor.maxLineBytes': MAX_LINE,
        'executor.maxLogBytesPerAttempt': CAP_BYTES,
        'logs.retentionIntervalSec': 1,
      },
    });
    fluxi.system = await startFluxi(config, createLogger({ level: 'warn', console: false, dir: `${dir.path}/logs` }));
    fluxi.api = new FluxiApi(client(fluxi.system.url as string, fluxi.system.adminKey as string));
    fluxi.nats = await connectNats(fluxi.system.natsUrl, 'e2e-logs-search', silentLogger());
  });

  afterAll(async () => {
    await fluxi.nats?.close();
    await fluxi.system?.stop();
    dir.remove();
  });

  fluxi.search = async (variables) =>
    (await fluxi.api.gql.request<{ searchLogs: SearchPage }>(SEARCH, variables)).searchLogs;

  fluxi.levelLines = async (jobRunId, levels) => {
    const data = await fluxi.api.gql.request<{ jobRunLogs: { lines: Line[]; totalCount: number } }>(
      `query ($id: ID!, $levels: [LineLevel!]) { jobRunLogs(jobRunId: $id, levels: $levels, first: 10000) { lines { ${LINE} } totalCount } }`,
      { id: jobRunId, levels },
    );
    return data.jobRunLogs.lines;
  };

  fluxi.runJob = async (name, command, status = 'SUCCESS') => {
    const jobId = await fluxi.api.createJob({ name, command });
    const run = await fluxi.api.ended(await fluxi.api.triggerJob(jobId));
    expect(run.status).toBe(status);
    const jobRun = run.jobRuns[0]!;
    return { runId: run.id, jobId, jobRunId: jobRun.id, lastAttempt: jobRun.attempt };
  };

  fluxi.stored = (jobRunId, count) =>
    waitFor(async () => ((await fluxi.levelLines(jobRunId)).length >= count ? true : undefined), {
      what: `${count} lines of ${jobRunId}`,
      timeoutMs: 30_000,
      intervalMs: 100,
    });

  return fluxi;
}
