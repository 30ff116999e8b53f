import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import { tempDir } from '@fluxi/testkit';
import { openClickHouse } from '../src/store/clickhouse.js';
import { migrate, MIGRATIONS } from '../src/store/migrations.js';

// Its own file, so its own process and chDB folder (chDB binds one folder per process).
const dir = tempDir('fluxi-logs-migrate-');
afterAll(() => dir.remove());

describe('the migration to job_log_lines', () => {
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
      expect(await migrate(client, { defaultRetentionDays: 12 })).toEqual([
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
      expect(await migrate(client, { defaultRetentionDays: 12 })).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});
