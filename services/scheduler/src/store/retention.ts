import type { Database, SqlExecutor } from '@fluxi/db';

/** What one retention batch deleted. */
export interface DeletedRuns {
  readonly runIds: string[];
  readonly jobRunIds: string[];
  readonly attempts: number;
  readonly artifacts: number;
  readonly contexts: number;
  readonly deadLetters: number;
  readonly events: number;
  readonly oldestEndedAt: Date | null;
  readonly newestEndedAt: Date | null;
}

const count = async (tx: SqlExecutor, sql: string, params: unknown[]): Promise<number> => {
  const rows = await tx.query<{ n: string | number }>(
    `WITH gone AS (${sql} RETURNING 1) SELECT count(*) AS n FROM gone`,
    params,
  );
  return Number(rows[0]?.n ?? 0);
};

/**
 * Run history retention: deletes ended runs older than their policy (the pipeline's
 * `retention.runDays` frozen in the run's snapshot, else the installation's default) with
 * everything of theirs in the scheduler's schema.
 */
export class RetentionStore {
  constructor(private readonly db: Database) {}

  /**
   * Deletes up to `limit` expired runs in one transaction, oldest end first: their job runs,
   * attempts, artifact records, stage records, outputs, run events, dead letters and the job
   * and pipeline contexts they hold. Only runs that ended (SUCCESS, FAILED, CANCELLED with an
   * end time) are candidates; a run whose job runs a kept rerun reuses is kept with it.
   */
  async deleteExpired(now: Date, defaultDays: number, limit: number): Promise<DeletedRuns> {
    return this.db.transaction(async (tx) => {
      const runs = await tx.query<{ id: string; ended_at: Date }>(
        `SELECT r.id, r.ended_at FROM pipeline_runs r
         WHERE r.ended_at IS NOT NULL AND r.status IN ('SUCCESS', 'FAILED', 'CANCELLED')
           AND r.ended_at < $1::timestamptz - make_interval(days => COALESCE(r.run_retention_days, $2))
           AND NOT EXISTS (
             SELECT 1 FROM job_runs mine JOIN job_runs other ON other.reused_from = mine.id
             WHERE mine.pipeline_run_id = r.id AND other.pipeline_run_id <> r.id)
         ORDER BY r.ended_at, r.id LIMIT $3
         FOR UPDATE OF r SKIP LOCKED`,
        [now, defaultDays, limit],
      );
      const runIds = runs.map((run) => run.id);
      if (runIds.length === 0) {
        return {
          runIds,
          jobRunIds: [],
          attempts: 0,
          artifacts: 0,
          contexts: 0,
          deadLetters: 0,
          events: 0,
          oldestEndedAt: null,
          newestEndedAt: null,
        };
      }
      const jobRunIds = (
        await tx.query<{ id: string }>('SELECT id FROM job_runs WHERE pipeline_run_id = ANY($1::text[]) ORDER BY id', [
          runIds,
        ])
      ).map((row) => row.id);
      const attempts = await count(tx, 'DELETE FROM job_run_attempts WHERE job_run_id = ANY($1::text[])', [jobRunIds]);
      const artifacts = await count(tx, 'DELETE FROM artifacts WHERE job_run_id = ANY($1::text[])', [jobRunIds]);
      const deadLetters = await count(tx, 'DELETE FROM dead_letters WHERE job_run_id = ANY($1::text[])', [jobRunIds]);
      const contexts = await count(tx, 'DELETE FROM contexts WHERE pipeline_run_id = ANY($1::text[])', [runIds]);
      const events = await count(tx, 'DELETE FROM run_events WHERE pipeline_run_id = ANY($1::text[])', [runIds]);
      // Job runs, stage records and the run-event counters go with their run (ON DELETE CASCADE).
      await tx.query('DELETE FROM pipeline_runs WHERE id = ANY($1::text[])', [runIds]);
      return {
        runIds,
        jobRunIds,
        attempts,
        artifacts,
        contexts,
        deadLetters,
        events,
        oldestEndedAt: runs[0]?.ended_at ?? null,
        newestEndedAt: runs[runs.length - 1]?.ended_at ?? null,
      };
    });
  }
}
