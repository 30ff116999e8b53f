import type { ClickHouseClient } from '@clickhouse/client';

/** One schema change, applied once, in list order. Statements run one by one (no multi-statement queries over HTTP). */
export interface Migration {
  id: string;
  statements: string[];
}

/**
 * The log store's schema. Append only: never edit an applied migration. Every
 * statement is idempotent (IF NOT EXISTS), so two instances migrating at once
 * cannot break each other.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001_log_lines',
    statements: [
      // ReplacingMergeTree folds the duplicates a redelivery writes (same key) in the
      // background; queries still dedupe (LIMIT 1 BY) since merges happen at any time.
      `CREATE TABLE IF NOT EXISTS log_lines (
        job_run_id String,
        pipeline_run_id String,
        attempt UInt32,
        seq UInt64,
        stream LowCardinality(String),
        text String,
        ts DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree
      ORDER BY (job_run_id, attempt, seq)`,
    ],
  },
];

const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  id String,
  applied_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree ORDER BY id`;

/** Applies the migrations not yet recorded in `schema_migrations`; returns the ids it applied. */
export async function migrate(
  client: ClickHouseClient,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<string[]> {
  await client.command({ query: LEDGER });
  const result = await client.query({ query: 'SELECT id FROM schema_migrations', format: 'JSONEachRow' });
  const done = new Set((await result.json<{ id: string }>()).map((row) => row.id));
  const applied: string[] = [];
  for (const migration of migrations) {
    if (done.has(migration.id)) continue;
    for (const statement of migration.statements) await client.command({ query: statement });
    await client.insert({
      table: 'schema_migrations',
      values: [{ id: migration.id, applied_at: Date.now() }],
      format: 'JSONEachRow',
    });
    applied.push(migration.id);
  }
  return applied;
}
