import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import { tempDir } from '@fluxi/testkit';
import type { LogRow } from '../src/domain/log-row.js';
import { parseSearchFilter, parseSearchQuery } from '../src/domain/log-search.js';
import { openClickHouse, type ClickHouseHandle } from '../src/store/clickhouse.js';
import { LogStore } from '../src/store/log-store.js';

const DAY = 86_400_000;
const dir = tempDir('fluxi-logs-search-');
let store: LogStore;
let raw: ClickHouseHandle;

beforeAll(async () => {
  store = await LogStore.open({ url: undefined, chdbPath: dir.path, logger: silentLogger() });
  await store.ready();
  raw = await openClickHouse({ url: undefined, chdbPath: dir.path, logger: silentLogger() });
});

afterAll(async () => {
  await raw?.close();
  await store?.close();
  dir.remove();
});

const now = Date.now();
const line = (jobRunId: string, seq: number, text: string, extra: Partial<LogRow> = {}): LogRow => ({
  jobRunId,
  pipelineRunId: `R-${jobRunId}`,
  pipelineId: 'P-search',
  jobId: 'J-build',
  jobName: 'build',
  attempt: 1,
  seq,
  stream: 'STDOUT',
  level: 'NONE',
  text,
  tsMs: now - 10 * 60_000 + seq,
  retentionDays: 30,
  ...extra,
});

const search = (query: string, filter = {}, page: Partial<Parameters<LogStore['search']>[2]> = {}) =>
  store.search(parseSearchQuery(query), parseSearchFilter(filter), {
    order: 'NEWEST_FIRST',
    after: undefined,
    limit: 100,
    context: 0,
    ...page,
  });

async function count(sql: string): Promise<number> {
  const result = await raw.client.query({ query: sql, format: 'JSONEachRow' });
  return Number((await result.json<{ n: number | string }>())[0]?.n);
}

describe('search in the store', () => {
  beforeAll(async () => {
    await store.insert([
      line('JR-s1', 1, 'Compiling module a'),
      line('JR-s1', 2, 'ERROR: Connection refused to db:5432', { level: 'ERROR', stream: 'STDERR' }),
      line('JR-s1', 3, 'retrying in 5s'),
      line('JR-s2', 1, 'connection REFUSED by peer', { jobName: 'test', jobId: 'J-test', tsMs: now - 5 * 60_000 }),
      line('JR-s2', 2, 'tests passed: 100% of 50_000', {
        jobName: 'test',
        jobId: 'J-test',
        tsMs: now - 5 * 60_000 + 1,
      }),
    ]);
    await store.recordOutcomes([
      { jobRunId: 'JR-s1', attempt: 1, status: 'FAILED', finishedAtMs: now },
      { jobRunId: 'JR-s2', attempt: 1, status: 'SUCCESS', finishedAtMs: now },
    ]);
  });

  it('matches words anywhere ignoring case, phrases with their spaces, and regexes', async () => {
    const seqs = async (query: string, filter = {}) =>
      (await search(query, filter)).map((hit) => `${hit.jobRunId}:${hit.seq}`);
    expect(await seqs('refused connection')).toEqual(['JR-s2:1', 'JR-s1:2']);
    expect(await seqs('"connection refused"')).toEqual(['JR-s2:1', 'JR-s1:2']);
    expect(await seqs('"refused to"')).toEqual(['JR-s1:2']);
    expect(await seqs('"refused by" db')).toEqual([]);
    expect(await seqs('/db:\\d+$/')).toEqual(['JR-s1:2']);
    expect(await seqs('/(?i)^connection/')).toEqual(['JR-s2:1']);
    // LIKE wildcards in a word are plain characters.
    expect(await seqs('100%')).toEqual(['JR-s2:2']);
    expect(await seqs('50_000')).toEqual(['JR-s2:2']);
    expect(await seqs('5__000')).toEqual([]);
    expect(await seqs('5%000')).toEqual([]);
  });

  it('applies every filter', async () => {
    const ids = async (filter: object) => (await search('', filter)).map((hit) => `${hit.jobRunId}:${hit.seq}`);
    expect(await ids({ levels: ['ERROR'] })).toEqual(['JR-s1:2']);
    expect(await ids({ streams: ['STDERR'] })).toEqual(['JR-s1:2']);
    expect(await ids({ status: ['SUCCESS'] })).toEqual(['JR-s2:2', 'JR-s2:1']);
    expect(await ids({ jobName: 'test' })).toEqual(['JR-s2:2', 'JR-s2:1']);
    expect(await ids({ jobId: 'J-build', jobRunId: 'JR-s1' })).toEqual(['JR-s1:3', 'JR-s1:2', 'JR-s1:1']);
    expect(await ids({ pipelineId: 'P-none' })).toEqual([]);
    expect(
      await ids({
        pipelineId: 'P-search',
        from: new Date(now - 6 * 60_000).toISOString(),
        to: new Date(now).toISOString(),
      }),
    ).toEqual(['JR-s2:2', 'JR-s2:1']);
  });

  it('reads the context lines around each hit, and pages oldest first after a position', async () => {
    const [hit] = await search('refused', { jobRunId: 'JR-s1' }, { context: 2 });
    expect(hit?.before.map((l) => l.text)).toEqual(['Compiling module a']);
    expect(hit?.after.map((l) => l.text)).toEqual(['retrying in 5s']);
    const firstPage = await search('', { pipelineId: 'P-search' }, { order: 'OLDEST_FIRST', limit: 2 });
    expect(firstPage.map((h) => h.text)).toEqual(['Compiling module a', 'ERROR: Connection refused to db:5432']);
    const last = firstPage[1]!;
    const next = await search('', { pipelineId: 'P-search' }, { order: 'OLDEST_FIRST', limit: 10, after: last });
    expect(next.map((h) => h.text)).toEqual([
      'retrying in 5s',
      'connection REFUSED by peer',
      'tests passed: 100% of 50_000',
    ]);
  });

  it('says when a line first and last appeared, and how often per day', async () => {
    await store.insert([
      line('JR-o1', 1, 'OOMKilled: container ran out', { tsMs: now - 3 * DAY }),
      line('JR-o2', 1, 'OOMKilled again', { tsMs: now - DAY }),
      line('JR-o2', 2, 'oomkilled once more', { tsMs: now - DAY + 1 }),
    ]);
    const found = await store.occurrences(parseSearchQuery('oomkilled'), parseSearchFilter({}));
    expect(found.totalCount).toBe(3);
    expect([found.first?.jobRunId, found.first?.seq, found.last?.jobRunId, found.last?.seq]).toEqual([
      'JR-o1',
      1,
      'JR-o2',
      2,
    ]);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    expect(found.days).toEqual([
      { day: day(now - 3 * DAY), count: 1, jobRuns: 1 },
      { day: day(now - DAY), count: 2, jobRuns: 1 },
    ]);
  });

  it('refuses a regex re2 cannot compile as BAD_USER_INPUT on query', async () => {
    await expect(store.checkRegexes(parseSearchQuery('/(unclosed/'))).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'query',
      message: expect.stringContaining('/(unclosed/ is not a valid regular expression (RE2): missing )'),
    });
    await expect(store.checkRegexes(parseSearchQuery('/ok+/'))).resolves.toBeUndefined();
  });
});

describe('retention', () => {
  it('deletes lines past their own retention, keeps fresh ones and long-kept old ones, and counts', async () => {
    await raw.client.command({ query: 'SYSTEM STOP TTL MERGES job_log_lines' });
    try {
      await store.insert([
        line('JR-r1', 1, 'expired a', { tsMs: now - 10 * DAY, retentionDays: 1 }),
        line('JR-r1', 2, 'expired b', { tsMs: now - 10 * DAY + 1, retentionDays: 1 }),
        line('JR-r2', 1, 'old but kept', { tsMs: now - 10 * DAY, retentionDays: 30 }),
        line('JR-r3', 1, 'expired alone', { tsMs: now - 40 * DAY, retentionDays: 7 }),
        line('JR-r4', 1, 'fresh', { tsMs: now, retentionDays: 1 }),
      ]);
      expect(await count("SELECT count() AS n FROM job_log_lines WHERE job_run_id LIKE 'JR-r%'")).toBe(5);
      // Labels last written two days ago, but for JR-r5's: written just now, its lines not yet.
      await raw.client.command({
        query: `ALTER TABLE job_run_labels DELETE WHERE job_run_id LIKE 'JR-r%'`,
        clickhouse_settings: { mutations_sync: '2' },
      });
      const labels = (id: string, atMs: number) => `${id}\tR-${id}\tP-search\tJ-build\tbuild\t${atMs / 1000}\n`;
      await raw.insertTsv(
        'job_run_labels',
        ['job_run_id', 'pipeline_run_id', 'pipeline_id', 'job_id', 'job_name', 'seen_at'],
        Buffer.from([1, 2, 3, 4].map((n) => labels(`JR-r${n}`, now - 2 * DAY)).join('') + labels('JR-r5', now)),
      );
      const report = await store.applyRetention();
      expect(report).toEqual({ deletedLines: 3, droppedPartitions: 1, rewrittenPartitions: 1 });
      const left = await search('', {}, {});
      expect(
        left
          .filter((hit) => hit.jobRunId.startsWith('JR-r'))
          .map((hit) => hit.text)
          .sort(),
      ).toEqual(['fresh', 'old but kept']);
      expect(await store.applyRetention()).toEqual({ deletedLines: 0, droppedPartitions: 0, rewrittenPartitions: 0 });
      const labelled = await raw.client.query({
        query: "SELECT job_run_id FROM job_run_labels WHERE job_run_id LIKE 'JR-r%' ORDER BY job_run_id",
        format: 'JSONEachRow',
      });
      expect((await labelled.json<{ job_run_id: string }>()).map((row) => row.job_run_id)).toEqual([
        'JR-r2',
        'JR-r4',
        'JR-r5',
      ]);
      // A run whose labels were forgotten logs again: they are written again with its lines.
      await store.insert([line('JR-r1', 3, 'back again', { tsMs: now })]);
      expect((await search('"back again"', { pipelineId: 'P-search' })).map((hit) => hit.jobName)).toEqual(['build']);
    } finally {
      await raw.client.command({ query: 'SYSTEM START TTL MERGES job_log_lines' });
    }
  });
});
