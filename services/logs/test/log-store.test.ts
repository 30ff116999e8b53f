import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import { tempDir } from '@fluxi/testkit';
import type { LogQuery } from '../src/domain/log-query.js';
import type { LogRow } from '../src/domain/log-row.js';
import { openClickHouse, type ClickHouseHandle } from '../src/store/clickhouse.js';
import { LogStore } from '../src/store/log-store.js';
import { migrate, MIGRATIONS } from '../src/store/migrations.js';

// One chDB folder for the file; the store and a raw client share its engine.
const dir = tempDir('fluxi-logs-store-');
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

async function count(sql: string, params: Record<string, unknown> = {}): Promise<number> {
  const result = await raw.client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
  return Number((await result.json<{ n: number | string }>())[0]?.n);
}

/** Every line of one attempt. */
const all = (jobRunId: string, attempt = 1): LogQuery => ({ jobRunId, attempt, afterSeq: undefined, limit: 1000 });

const row = (jobRunId: string, attempt: number, seq: number, text = `line ${seq}`): LogRow => ({
  jobRunId,
  pipelineRunId: 'R1',
  pipelineId: 'P1',
  jobId: 'J1',
  jobName: 'build',
  attempt,
  seq,
  stream: 'STDOUT',
  level: 'NONE',
  text,
  tsMs: Date.now() - 60_000 + seq,
  retentionDays: 30,
});

describe('migrations', () => {
  it('are applied once and recorded', async () => {
    expect(await migrate(raw.client, { defaultRetentionDays: 30 })).toEqual([]);
    expect(await count('SELECT count() AS n FROM schema_migrations')).toBe(MIGRATIONS.length);
  });
});

describe('LogStore', () => {
  it('reads each line once even when the copies are not merged yet', async () => {
    await raw.client.command({ query: 'SYSTEM STOP MERGES job_log_lines' });
    try {
      const rows = [row('JR-copies', 1, 1), row('JR-copies', 1, 2)];
      await store.insert(rows);
      await store.insert(rows);
      expect(
        await count('SELECT count() AS n FROM job_log_lines WHERE job_run_id = {id:String}', { id: 'JR-copies' }),
      ).toBe(4);
      const read = await store.lines(all('JR-copies'));
      expect(read.map((line) => line.seq)).toEqual([1, 2]);
      expect(await store.countLines('JR-copies', 1)).toBe(2);
    } finally {
      await raw.client.command({ query: 'SYSTEM START MERGES job_log_lines' });
    }
  });

  it('keeps text, stream and time exactly, and binds ids as values', async () => {
    const id = "JR-'quote\\ OR 1=1 --";
    const text = 'tab\there \r carriage, emoji 🚀, nul \u0000 end, "json" {x}';
    const first = { ...row(id, 1, 1, text), stream: 'STDERR' as const, level: 'ERROR' as const };
    const second = { ...row(id, 1, 2, ''), stream: 'SYSTEM' as const, level: 'WARN' as const };
    await store.insert([first, second]);
    expect(await store.lines(all(id))).toEqual([
      { attempt: 1, seq: 1, stream: 'STDERR', level: 'ERROR', text, tsMs: first.tsMs },
      { attempt: 1, seq: 2, stream: 'SYSTEM', level: 'WARN', text: '', tsMs: second.tsMs },
    ]);
    expect(await store.lines(all('JR-'))).toEqual([]);
  });

  it('keeps line breaks, backslashes and tabs in texts and labels of several chunks in one insert', async () => {
    const texts = ['a\nb', 'back\\slash\\', 'literal \\n and \\t', '\t', '\\', 'é\u0000\r\n'];
    const first = texts.map((text, i) => row('JR-escapes', 1, i + 1, text));
    const other = { ...row('JR-escapes\t2', 1, 1, 'x'), jobName: 'tab\tname\\', pipelineId: 'P\n' };
    await store.insert([...first, other]);
    expect((await store.lines(all('JR-escapes'))).map((line) => line.text)).toEqual(texts);
    expect((await store.lines(all('JR-escapes\t2'))).map((line) => line.text)).toEqual(['x']);
    expect(
      await count(
        `SELECT count() AS n FROM job_log_lines WHERE job_run_id IN
          (SELECT job_run_id FROM job_run_labels WHERE job_name = {name:String} AND pipeline_id = {p:String})`,
        {
          name: 'tab\tname\\',
          p: 'P\n',
        },
      ),
    ).toBe(1);
  });

  it('reads one attempt after a seq, stops at the limit, and counts the attempt', async () => {
    await store.insert([3, 1, 2].flatMap((attempt) => [4, 1, 3, 2].map((seq) => row('JR-filter', attempt, seq))));
    const seqs = async (query: Partial<LogQuery>) =>
      (await store.lines({ ...all('JR-filter'), ...query })).map((line) => `${line.attempt}.${line.seq}`);
    expect(await seqs({})).toEqual(['1.1', '1.2', '1.3', '1.4']);
    expect(await seqs({ attempt: 2, limit: 3 })).toEqual(['2.1', '2.2', '2.3']);
    expect(await seqs({ attempt: 2, afterSeq: 2 })).toEqual(['2.3', '2.4']);
    expect(await seqs({ attempt: 3, afterSeq: 4 })).toEqual([]);
    expect(await seqs({ attempt: 4 })).toEqual([]);
    expect(await store.countLines('JR-filter', 2)).toBe(4);
    expect(await store.countLines('JR-filter', 4)).toBe(0);
    expect(await store.countLines('JR-none', 1)).toBe(0);
  });
});
