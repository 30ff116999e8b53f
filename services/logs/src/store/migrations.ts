import type { ClickHouseClient } from '@clickhouse/client';

/** What a migration may depend on besides the schema: the installation's settings. */
export interface MigrationContext {
  /** `logs.retentionDays`: the retention given to rows that had none. */
  defaultRetentionDays: number;
}

/** One schema change, applied once, in list order. Statements run one by one (no multi-statement queries over HTTP). */
export interface Migration {
  id: string;
  statements: readonly string[] | ((context: MigrationContext) => readonly string[]);
}

/** The table of log lines (since 0002). */
export const LINES_TABLE = 'job_log_lines';
/** Outcome of each finished attempt, for the "run status" search filter (since 0002). */
export const OUTCOMES_TABLE = 'attempt_outcomes';
/** Each job run's pipeline run, pipeline, job and job name, once per run rather than per line (since 0004). */
export const LABELS_TABLE = 'job_run_labels';

/**
 * When a row is deleted: `retention_days` after its time. The same expression is the
 * table's TTL and the retention pass's condition.
 */
export const EXPIRES_AT = 'toDateTime(ts) + toIntervalDay(retention_days)';

/**
 * The log store's schema. Append only: never edit an applied migration. Every
 * statement is idempotent (IF NOT EXISTS), or harmless when repeated (a copy into a
 * ReplacingMergeTree), so two instances migrating at once cannot break each other.
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
  {
    // Logs designed for search and retention. One DDL for chDB and a ClickHouse server
    // (ngrambf_v1 and set/bloom_filter skip indexes exist on both since long).
    id: '0002_job_log_lines',
    statements: ({ defaultRetentionDays }) => [
      // Still a ReplacingMergeTree keyed by (job run, attempt, seq): a redelivered chunk
      // writes the same rows, which merges fold and reads skip (LIMIT 1 BY). A copy has
      // the same ts, so it lands in the same day partition as its original.
      // - PARTITION BY day: retention drops whole days when it can.
      // - text_ngrams: trigrams of the lower-cased text, used by lowerUTF8(text) LIKE '%…%'
      //   (words and phrases) and, for their literal parts, by match() (regexes).
      // - TTL: each row's own retention (the pipeline's, else logs.retentionDays).
      `CREATE TABLE IF NOT EXISTS ${LINES_TABLE} (
        job_run_id String,
        attempt UInt32,
        seq UInt64,
        pipeline_run_id String,
        pipeline_id String,
        job_id String,
        job_name String,
        stream LowCardinality(String),
        level LowCardinality(String),
        text String,
        ts DateTime64(3, 'UTC'),
        retention_days UInt16,
        INDEX text_ngrams lowerUTF8(text) TYPE ngrambf_v1(3, 65536, 2, 0) GRANULARITY 1,
        INDEX pipeline_filter pipeline_id TYPE bloom_filter(0.01) GRANULARITY 4,
        INDEX job_filter job_id TYPE bloom_filter(0.01) GRANULARITY 4,
        INDEX job_name_filter job_name TYPE bloom_filter(0.01) GRANULARITY 4,
        INDEX level_filter level TYPE set(8) GRANULARITY 4
      ) ENGINE = ReplacingMergeTree
      PARTITION BY toYYYYMMDD(ts)
      ORDER BY (job_run_id, attempt, seq)
      TTL ${EXPIRES_AT}`,
      // The lines of the first table, with the default retention and no level (NONE).
      `INSERT INTO ${LINES_TABLE}
        (job_run_id, attempt, seq, pipeline_run_id, stream, level, text, ts, retention_days)
        SELECT job_run_id, attempt, seq, pipeline_run_id, stream, 'NONE', text, ts, ${String(defaultRetentionDays)}
        FROM log_lines`,
      `CREATE TABLE IF NOT EXISTS ${OUTCOMES_TABLE} (
        job_run_id String,
        attempt UInt32,
        status LowCardinality(String),
        finished_at DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree
      ORDER BY (job_run_id, attempt)`,
    ],
  },
  {
    // Its rows were copied by 0002 (a separate step: if a crash came between the copy and
    // the ledger, 0002 copies again, and the copies fold like a redelivery).
    id: '0003_drop_log_lines',
    statements: ['DROP TABLE IF EXISTS log_lines'],
  },
  {
    // A job run's labels once per run: parsing them again on every line halved the insert
    // rate (7 columns 500-690k rows/s, 12 columns 220-350k in chDB). Searches by them go
    // through `job_run_id IN (…)`, which the lines' primary key serves.
    // - ReplacingMergeTree(seen_at): the labels written last win (reads use FINAL).
    // - seen_at: when a batch of the run's lines last wrote them; the retention pass
    //   forgets the labels of runs without lines only a day after that.
    id: '0004_job_run_labels',
    statements: [
      `CREATE TABLE IF NOT EXISTS ${LABELS_TABLE} (
        job_run_id String,
        pipeline_run_id String,
        pipeline_id String,
        job_id String,
        job_name String,
        seen_at DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree(seen_at)
      ORDER BY job_run_id`,
      // The labels of the lines written so far: each run's latest.
      `INSERT INTO ${LABELS_TABLE} (job_run_id, pipeline_run_id, pipeline_id, job_id, job_name, seen_at)
        SELECT job_run_id, argMax(pipeline_run_id, ts), argMax(pipeline_id, ts), argMax(job_id, ts),
          argMax(job_name, ts), max(ts)
        FROM ${LINES_TABLE} GROUP BY job_run_id`,
    ],
  },
  {
    // The labels copied by 0004 leave the lines (a separate step, as 0003: a crash before
    // the ledger runs 0004's copy again, which needs the columns).
    id: '0005_lines_without_labels',
    statements: [
      `ALTER TABLE ${LINES_TABLE}
        DROP INDEX IF EXISTS pipeline_filter, DROP INDEX IF EXISTS job_filter, DROP INDEX IF EXISTS job_name_filter`,
      `ALTER TABLE ${LINES_TABLE}
        DROP COLUMN IF EXISTS pipeline_run_id, DROP COLUMN IF EXISTS pipeline_id,
        DROP COLUMN IF EXISTS job_id, DROP COLUMN IF EXISTS job_name`,
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
  context: MigrationContext,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<string[]> {
  await client.command({ query: LEDGER });
  const result = await client.query({ query: 'SELECT id FROM schema_migrations', format: 'JSONEachRow' });
  const done = new Set((await result.json<{ id: string }>()).map((row) => row.id));
  const applied: string[] = [];
  for (const migration of migrations) {
    if (done.has(migration.id)) continue;
    const statements =
      typeof migration.statements === 'function' ? migration.statements(context) : migration.statements;
    for (const statement of statements) await client.command({ query: statement });
    await client.insert({
      table: 'schema_migrations',
      values: [{ id: migration.id, applied_at: Date.now() }],
      format: 'JSONEachRow',
    });
    applied.push(migration.id);
  }
  return applied;
}
