import { existsSync } from 'node:fs';
import { createLogger, loadConfig } from '@fluxi/common';
import { ContractVersion, create, LogChunkSchema, LogLevel, LogStream, Subjects } from '@fluxi/contracts';
import { connectNats, encode, type Nats } from '@fluxi/messaging';
import { startFluxi, type FluxiSystem } from '@fluxi/server';
import { silentLogger } from '@fluxi/common';
import { tempDir, waitFor } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, firstError } from './client.js';
import { FluxiApi } from './fluxi-api.js';

/**
 * Issue 9, storage, search and retention, through the gateway: levels detected by the
 * executor, searchLogs with every filter and the cursor, context lines, logOccurrences,
 * retention, long lines, binary output and the per-attempt cap.
 */
const CAP_BYTES = 64 * 1024;
const MAX_LINE = 1024;
const DAY = 86_400_000;

const dir = tempDir('fluxi-e2e-logs-search-');
let system: FluxiSystem;
let api: FluxiApi;
let nats: Nats;

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
  system = await startFluxi(config, createLogger({ level: 'warn', console: false, dir: `${dir.path}/logs` }));
  api = new FluxiApi(client(system.url as string, system.adminKey as string));
  nats = await connectNats(system.natsUrl, 'e2e-logs-search', silentLogger());
});

afterAll(async () => {
  await nats?.close();
  await system?.stop();
  dir.remove();
});

interface Line {
  seq: number;
  stream: string;
  text: string;
  level: string;
  attempt: number;
}

interface Hit extends Line {
  pipelineRunId: string;
  pipelineId: string;
  jobRunId: string;
  jobId: string;
  jobName: string;
  ts: string;
  before: Line[];
  after: Line[];
}

interface SearchPage {
  hits: Hit[];
  nextCursor: string | null;
  hasMore: boolean;
}

const LINE = 'seq stream text level attempt';
const SEARCH = `query ($query: String, $filter: LogSearchFilter, $order: LogSearchOrder, $context: Int, $first: Int, $after: String) {
  searchLogs(query: $query, filter: $filter, order: $order, context: $context, first: $first, after: $after) {
    hits { pipelineRunId pipelineId jobRunId jobId jobName ts ${LINE} before { ${LINE} } after { ${LINE} } }
    nextCursor hasMore
  }
}`;

async function search(variables: Record<string, unknown>): Promise<SearchPage> {
  return (await api.gql.request<{ searchLogs: SearchPage }>(SEARCH, variables)).searchLogs;
}

async function levelLines(jobRunId: string, levels?: string[]): Promise<Line[]> {
  const data = await api.gql.request<{ jobRunLogs: { lines: Line[]; totalCount: number } }>(
    `query ($id: ID!, $levels: [LineLevel!]) { jobRunLogs(jobRunId: $id, levels: $levels, first: 10000) { lines { ${LINE} } totalCount } }`,
    { id: jobRunId, levels },
  );
  return data.jobRunLogs.lines;
}

/** Runs a job on its own to its end; its run, job id and job run. */
async function runJob(name: string, command: string, status = 'SUCCESS') {
  const jobId = await api.createJob({ name, command });
  const run = await api.ended(await api.triggerJob(jobId));
  expect(run.status).toBe(status);
  const jobRun = run.jobRuns[0]!;
  return { runId: run.id, jobId, jobRunId: jobRun.id, lastAttempt: jobRun.attempt };
}

/** Waits until the job run's latest attempt has at least `count` lines stored. */
const stored = (jobRunId: string, count: number) =>
  waitFor(async () => ((await levelLines(jobRunId)).length >= count ? true : undefined), {
    what: `${count} lines of ${jobRunId}`,
    timeoutMs: 30_000,
    intervalMs: 100,
  });

describe('log lines and search through the gateway', () => {
  it('detects each line level at the source; jobRunLogs filters by level, colours kept', async () => {
    const { jobRunId } = await runJob(
      'levels',
      `echo 'ERROR: db down'; echo 'warn: disk 91%'; echo 'just text'; printf '\\033[31mFATAL\\033[0m crash\\n'; echo '{"level":"debug","msg":"x"}'; echo 'level=info msg=ok'`,
    );
    await stored(jobRunId, 6);
    const all = await levelLines(jobRunId);
    expect(all.map((line) => [line.text, line.level, line.stream])).toEqual([
      ['ERROR: db down', 'ERROR', 'STDOUT'],
      ['warn: disk 91%', 'WARN', 'STDOUT'],
      ['just text', 'NONE', 'STDOUT'],
      ['\x1b[31mFATAL\x1b[0m crash', 'ERROR', 'STDOUT'],
      ['{"level":"debug","msg":"x"}', 'DEBUG', 'STDOUT'],
      ['level=info msg=ok', 'INFO', 'STDOUT'],
    ]);
    expect((await levelLines(jobRunId, ['ERROR'])).map((line) => line.seq)).toEqual([1, 4]);
    expect((await levelLines(jobRunId, ['WARN', 'NONE'])).map((line) => line.seq)).toEqual([2, 3]);
    const bad = await firstError(levelLines(jobRunId, ['LOUD']));
    expect(bad.message).toContain('LOUD');
  });

  it('finds words, phrases and regexes across runs, with each filter, context lines and a cursor', async () => {
    const failed = await runJob(
      'search-fails',
      `echo 'prep 1'; echo 'prep 2'; echo 'Zebra-7731 connection refused to db'; echo 'after 1'; echo 'after 2'; echo 'after 3'; exit 3`,
      'FAILED',
    );
    const passed = await runJob('search-passes', `echo 'zebra-7731 retry ok' >&2`);
    await stored(passed.jobRunId, 1);
    await stored(failed.jobRunId, 6);
    const ids = async (query: string, filter: object = {}) =>
      (await search({ query, filter, context: 0 })).hits.map((hit) => `${hit.jobRunId}:${hit.seq}`);
    const f = `${failed.jobRunId}:3`;
    const p = `${passed.jobRunId}:1`;
    // Newest first: the passing job ran last.
    expect(await ids('ZEBRA-7731')).toEqual([p, f]);
    expect(await ids('zebra-7731 refused')).toEqual([f]);
    expect(await ids('"connection refused to db" zebra-7731')).toEqual([f]);
    expect(await ids('"refused db" zebra-7731')).toEqual([]);
    expect(await ids('/^[Zz]ebra-77\\d1 (retry|connection)/')).toEqual([p, f]);
    expect(await ids('/^Zebra-\\d+ connection/')).toEqual([f]);
    expect(await ids('zebra-7731', { status: ['FAILED'] })).toEqual([f]);
    expect(await ids('zebra-7731', { status: ['SUCCESS', 'CANCELLED'] })).toEqual([p]);
    expect(await ids('zebra-7731', { jobName: 'search-passes' })).toEqual([p]);
    expect(await ids('zebra-7731', { jobId: failed.jobId })).toEqual([f]);
    expect(await ids('zebra-7731', { jobRunId: passed.jobRunId })).toEqual([p]);
    expect(await ids('zebra-7731', { pipelineRunId: failed.runId })).toEqual([f]);
    expect(await ids('zebra-7731', { streams: ['STDERR'] })).toEqual([p]);
    expect(await ids('zebra-7731', { levels: ['NONE'] })).toEqual([p, f]);
    expect(await ids('zebra-7731', { levels: ['ERROR'] })).toEqual([]);
    expect(await ids('zebra-7731', { from: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    expect(await ids('zebra-7731', { to: new Date(Date.now() - DAY).toISOString() })).toEqual([]);
    expect(await ids('zebra-7731', { from: new Date(Date.now() - DAY).toISOString() })).toEqual([p, f]);

    // Context: two lines before and after by default, in seq order, within the attempt.
    const [hit] = (await search({ query: 'connection refused' })).hits.filter((h) => h.jobRunId === failed.jobRunId);
    expect(hit).toMatchObject({
      pipelineRunId: failed.runId,
      jobId: failed.jobId,
      jobName: 'search-fails',
      attempt: 1,
    });
    expect(hit?.before.map((line) => line.text)).toEqual(['prep 1', 'prep 2']);
    expect(hit?.after.map((line) => line.text)).toEqual(['after 1', 'after 2']);
    const wide = (await search({ query: 'connection refused', filter: { jobRunId: failed.jobRunId }, context: 10 }))
      .hits;
    expect(wide[0]?.after.map((line) => line.seq)).toEqual([4, 5, 6]);

    // The cursor: oldest first, two hits a page, every line of the failing job once, in order.
    const seen: number[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages += 1) {
      const page: SearchPage = await search({
        filter: { jobRunId: failed.jobRunId },
        order: 'OLDEST_FIRST',
        first: 2,
        context: 0,
        after,
      });
      seen.push(...page.hits.map((h) => h.seq));
      if (!page.hasMore) {
        expect(page.nextCursor).toBeNull();
        break;
      }
      after = page.nextCursor;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    // A cursor of another search is refused, naming the argument.
    const wrong = await firstError(search({ query: 'other', first: 2, after: after ?? 'x' }));
    expect(wrong).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('answers bad input with BAD_USER_INPUT naming the field, and no stack trace', async () => {
    const regex = await firstError(search({ query: '/(unclosed/' }));
    expect(regex).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
    expect(regex.message).toBe('query: /(unclosed/ is not a valid regular expression (RE2): missing ): (unclosed');
    expect(await firstError(search({ query: '"open' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
    expect(await firstError(search({ context: 11 }))).toMatchObject({ field: 'context' });
    expect(await firstError(search({ first: 201 }))).toMatchObject({ field: 'first' });
    expect(await firstError(search({ filter: { from: 'last tuesday' } }))).toMatchObject({ field: 'filter.from' });
    const raw = await fetch(`${system.url as string}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${system.adminKey as string}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ searchLogs(query: "/[z-a]/") { hasMore } }' }),
    });
    const text = await raw.text();
    expect(text).toContain('BAD_USER_INPUT');
    expect(text).not.toMatch(/stacktrace|node_modules|\/work\/|at [A-Za-z]+ \(/);
  });

  it('says when a line first and last appeared, and how often per day', async () => {
    const first = await runJob('occurs-1', `echo 'Quokka-5521 segfault'; echo 'other'`);
    const second = await runJob('occurs-2', `echo 'again quokka-5521 SEGFAULT'; echo 'quokka-5521 segfault twice'`);
    await stored(second.jobRunId, 2);
    await stored(first.jobRunId, 2);
    const data = await api.gql.request<{
      logOccurrences: {
        totalCount: number;
        first: { jobRunId: string; seq: number; pipelineRunId: string; ts: string } | null;
        last: { jobRunId: string; seq: number } | null;
        days: Array<{ day: string; count: number; jobRuns: number }>;
      };
    }>(
      `query ($q: String!) { logOccurrences(query: $q) {
        totalCount first { jobRunId seq pipelineRunId ts } last { jobRunId seq } days { day count jobRuns }
      } }`,
      { q: 'quokka-5521 segfault' },
    );
    const found = data.logOccurrences;
    expect(found.totalCount).toBe(3);
    expect(found.first).toMatchObject({ jobRunId: first.jobRunId, seq: 1, pipelineRunId: first.runId });
    expect(found.last).toMatchObject({ jobRunId: second.jobRunId, seq: 2 });
    expect(found.days).toEqual([{ day: found.first!.ts.slice(0, 10), count: 3, jobRuns: 2 }]);
    const none = await api.gql.request<{ logOccurrences: { totalCount: number; first: unknown; days: unknown[] } }>(
      '{ logOccurrences(query: "never-printed-9918") { totalCount first { seq } days { day } } }',
    );
    expect(none.logOccurrences).toEqual({ totalCount: 0, first: null, days: [] });
  });

  it('splits a long line at executor.maxLineBytes and stores binary output without NUL bytes', async () => {
    const { jobRunId } = await runJob(
      'long-and-binary',
      `head -c 2500 /dev/zero | tr '\\0' x; echo; printf 'a\\000b\\377c\\n'; head -c 3000 /dev/urandom; echo; echo end`,
    );
    const lines = await waitFor(
      async () => {
        const read = await levelLines(jobRunId);
        return read.some((line) => line.text === 'end') ? read : undefined;
      },
      { what: 'the last line', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(lines.slice(0, 4).map((line) => line.text)).toEqual([
      'x'.repeat(MAX_LINE),
      'x'.repeat(MAX_LINE),
      'x'.repeat(2500 - 2 * MAX_LINE),
      'a\uFFFDb\uFFFDc',
    ]);
    for (const line of lines) {
      expect(line.text).not.toContain('\0');
      expect(Buffer.byteLength(line.text)).toBeLessThanOrEqual(MAX_LINE);
    }
    expect(lines.map((line) => line.seq)).toEqual(lines.map((_, i) => i + 1));
  });

  it('stops storing a job over the per-attempt cap after one marker; the job runs on to its end', async () => {
    // About 1 MB of output against a 64 KiB cap, then a line that must not be stored.
    const { jobRunId } = await runJob(
      'chatty',
      `i=0; while [ $i -lt 10000 ]; do echo "line $i padded to about a hundred bytes ................................................"; i=$((i+1)); done; echo 'finished-printing'; touch ${dir.path}/chatty-done`,
    );
    const lines = await waitFor(
      async () => {
        const read = await levelLines(jobRunId);
        return read.some((line) => line.text.startsWith('log truncated')) ? read : undefined;
      },
      { what: 'the truncation marker', timeoutMs: 30_000, intervalMs: 200 },
    );
    const markers = lines.filter((line) => line.text.startsWith('log truncated'));
    expect(markers).toEqual([
      {
        seq: expect.any(Number),
        attempt: 1,
        stream: 'SYSTEM',
        level: 'WARN',
        text: 'log truncated: this job printed more than 64 KiB of log output (executor.maxLogBytesPerAttempt); the rest was not stored, and the job goes on',
      },
    ]);
    const output = lines.filter((line) => line.stream !== 'SYSTEM');
    const outputBytes = output.reduce((sum, line) => sum + Buffer.byteLength(line.text), 0);
    expect(outputBytes).toBeLessThanOrEqual(CAP_BYTES);
    expect(output.length).toBeGreaterThan(500);
    expect(output.every((line, i) => line.text.startsWith(`line ${i} `))).toBe(true);
    expect(lines.some((line) => line.text === 'finished-printing')).toBe(false);
    // The job itself went on to the end (runJob saw SUCCESS) and wrote its marker file.
    expect(existsSync(`${dir.path}/chatty-done`)).toBe(true);
    expect(markers[0]!.seq).toBe(output.length + 1);
  });
});

describe('log retention through the gateway', () => {
  /** Publishes one line of a job run that does not exist, as an executor would, with its own ts and retention. */
  async function publishLine(jobRunId: string, text: string, tsMs: number, retentionDays: number): Promise<void> {
    const chunk = create(LogChunkSchema, {
      version: ContractVersion.CONTRACT_VERSION_1,
      jobRunId,
      pipelineRunId: 'R-retention',
      pipelineId: 'P-retention',
      jobId: 'J-retention',
      jobName: 'retention',
      logRetentionDays: retentionDays,
      lines: [{ seq: 1n, stream: LogStream.STDOUT, level: LogLevel.INFO, text, tsMs: BigInt(tsMs), attempt: 1 }],
    });
    await nats.js.publish(Subjects.logChunk('R-retention', jobRunId), encode(LogChunkSchema, chunk), {
      msgID: `${jobRunId}.1.1`,
    });
  }

  it('deletes lines once past their retention, keeps fresh lines and old lines of a longer retention', async () => {
    const fresh = await runJob('retention-fresh', `echo 'Wombat-3310 fresh line'`);
    await stored(fresh.jobRunId, 1);
    // Expires 20 s from now (1-day retention); another as old, kept 30 days.
    const expiresAt = Date.now() + 20_000;
    await publishLine('JR-retention-short', 'Wombat-3310 short retention', expiresAt - DAY, 1);
    await publishLine('JR-retention-long', 'Wombat-3310 long retention', expiresAt - DAY, 30);
    const texts = async () =>
      (await search({ query: 'wombat-3310', order: 'OLDEST_FIRST', context: 0 })).hits.map((hit) => hit.text).sort();
    await waitFor(async () => ((await texts()).length === 3 ? true : undefined), {
      what: 'the three lines to be searchable',
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    // The retention pass runs every second (logs.retentionIntervalSec: 1).
    await waitFor(async () => ((await texts()).length === 2 ? true : undefined), {
      what: 'the short-retention line to be deleted',
      timeoutMs: 90_000,
      intervalMs: 500,
    });
    expect(await texts()).toEqual(['Wombat-3310 fresh line', 'Wombat-3310 long retention']);
    const kept = (await search({ query: 'wombat-3310', filter: { pipelineId: 'P-retention' }, context: 0 })).hits;
    expect(kept.map((hit) => [hit.jobRunId, hit.jobName, hit.level])).toEqual([
      ['JR-retention-long', 'retention', 'INFO'],
    ]);
  });
});
