import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import { tempDir } from '@fluxi/testkit';
import { openClickHouse } from '../src/store/clickhouse.js';
import { parseSearchFilter, parseSearchQuery } from '../src/domain/log-search.js';
import { LogStore } from '../src/store/log-store.js';
import { migrate, MIGRATIONS } from '../src/store/migrations.js';

// Its own file, so its own process and chDB folder (chDB binds one folder per process).
const dir = tempDir('fluxi-logs-migrate-');
afterAll(() => dir.remove());

describe('the migrations of the log store', () => {
  it('moves the lines of the first table with the default retention and no level, then drops it', async () => {
    const handle = await openClickHouse({ url: undefined, chdbPath: dir.path, logger: silentLogger() });
    try {
      const { client } = handle;
      expect(await migrate(client, { defaultRetentionDays: 12 }, MIGRATIONS.slice(0, 1))).toEqual(['0001_log_lines']);
      await client.insert({
        table: 'log_lines',
        format: 'JSONEachRow',
        values: [1, 2, 3].map((seq) => ({
          job_run_id: 'JR-old',
          pipeline_run_id: 'R-old',
          attempt: 1,
          seq,
          stream: 'STDOUT',
          text: `old line ${seq}`,
          ts: Date.now() - 86_400_000 + seq,
        })),
      });
      expect(await migrate(client, { defaultRetentionDays: 12 }, MIGRATIONS.slice(0, 3))).toEqual([
        '0002_job_log_lines',
        '0003_drop_log_lines',
      ]);
      const rows = await (
        await client.query({
          query: `SELECT job_run_id, pipeline_run_id, seq, level, text, retention_days, pipeline_id
            FROM job_log_lines ORDER BY seq`,
          format: 'JSONEachRow',
        })
      ).json<Record<string, unknown>>();
      expect(rows).toEqual(
        [1, 2, 3].map((seq) => ({
          job_run_id: 'JR-old',
          pipeline_run_id: 'R-old',
          seq: expect.anything(),
          level: 'NONE',
          text: `old line ${seq}`,
          retention_days: 12,
          pipeline_id: '',
        })),
      );
      const tables = await (
        await client.query({
          query: 'SELECT name FROM system.tables WHERE database = currentDatabase()',
          format: 'JSONEachRow',
        })
      ).json<{ name: string }>();
      expect(tables.map((t) => t.name).sort()).toEqual(['attempt_outcomes', 'job_log_lines', 'schema_migrations']);
      // Applied once: nothing more to do.
      expect(await migrate(client, { defaultRetentionDays: 12 }, MIGRATIONS.slice(0, 3))).toEqual([]);
    } finally {
      await handle.close();
    }
  });

  it("moves each job run's labels off its lines into job_run_labels, the latest winning, and search finds them", async () => {
    const handle = await openClickHouse({ url: undefined, chdbPath: dir.path, logger: silentLogger() });
    const now = Date.now();
    const line = (jobRunId: string, attempt: number, seq: number, labels: Record<string, string>, ago: number) => ({
      job_run_id: jobRunId,
      attempt,
      seq,
      pipeline_run_id: 'R1',
      pipeline_id: 'P1',
      job_id: 'J1',
      job_name: 'build',
      ...labels,
      stream: 'STDOUT',
      level: 'NONE',
      text: `${jobRunId} line ${attempt}.${seq}`,
      ts: now - ago,
      retention_days: 30,
    });
    try {
      const { client } = handle;
      await client.insert({
        table: 'job_log_lines',
        format: 'JSONEachRow',
        values: [
          line('JR-a', 1, 1, { job_name: 'old name' }, 60_000),
          line('JR-a', 2, 1, { job_name: 'build' }, 30_000),
          line('JR-b', 1, 1, { pipeline_id: 'P2', job_id: 'J2', job_name: 'test' }, 10_000),
        ],
      });
      expect(await migrate(client, { defaultRetentionDays: 12 })).toEqual([
        '0004_job_run_labels',
        '0005_lines_without_labels',
      ]);
      const labels = await (
        await client.query({
          query:
            'SELECT job_run_id, pipeline_run_id, pipeline_id, job_id, job_name FROM job_run_labels FINAL ORDER BY job_run_id',
          format: 'JSONEachRow',
        })
      ).json<Record<string, string>>();
      expect(labels).toEqual([
        { job_run_id: 'JR-a', pipeline_run_id: 'R1', pipeline_id: 'P1', job_id: 'J1', job_name: 'build' },
        { job_run_id: 'JR-b', pipeline_run_id: 'R1', pipeline_id: 'P2', job_id: 'J2', job_name: 'test' },
        { job_run_id: 'JR-old', pipeline_run_id: 'R-old', pipeline_id: '', job_id: '', job_name: '' },
      ]);
      const columns = await (
        await client.query({
          query: "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'job_log_lines'",
          format: 'JSONEachRow',
        })
      ).json<{ name: string }>();
      expect(columns.map((column) => column.name).sort()).toEqual(
        ['attempt', 'job_run_id', 'level', 'retention_days', 'seq', 'stream', 'text', 'ts'].sort(),
      );
      expect(await migrate(client, { defaultRetentionDays: 12 })).toEqual([]);
    } finally {
      await handle.close();
    }
    const store = await LogStore.open({ url: undefined, chdbPath: dir.path, logger: silentLogger() });
    try {
      const page = { order: 'OLDEST_FIRST', after: undefined, limit: 10, context: 0 } as const;
      const hits = await store.search([], parseSearchFilter({ jobName: 'build' }), page);
      expect(hits.map((hit) => [hit.text, hit.pipelineId, hit.jobId, hit.jobName])).toEqual([
        ['JR-a line 1.1', 'P1', 'J1', 'build'],
        ['JR-a line 2.1', 'P1', 'J1', 'build'],
      ]);
      const other = await store.search(parseSearchQuery('line'), parseSearchFilter({ pipelineId: 'P2' }), page);
      expect(other.map((hit) => [hit.jobRunId, hit.pipelineRunId, hit.jobName])).toEqual([['JR-b', 'R1', 'test']]);
    } finally {
      await store.close();
    }
  });
});
