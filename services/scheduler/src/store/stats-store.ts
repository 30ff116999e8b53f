import type { Database } from '@fluxi/db';

/** Runs started in one hour. */
export interface HourCount {
  /** The hour's start. */
  hour: Date;
  total: number;
  succeeded: number;
  failed: number;
}

/** Counts of runs for the stats query and the `fluxi_cicd_pipeline_run_active` gauge. */
export class RunStatsStore {
  constructor(private readonly db: Database) {}

  /** Pipeline runs (and runs of a single job) by status, every status present. */
  async runsByStatus(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ status: string; count: number }>(
      'SELECT status, count(*)::int AS count FROM pipeline_runs GROUP BY status',
    );
    return new Map(rows.map((row) => [row.status, row.count]));
  }

  /** Runs not ended, by status (PENDING, QUEUED, RUNNING). */
  async activeRuns(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ status: string; count: number }>(
      `SELECT status, count(*)::int AS count FROM pipeline_runs
       WHERE status IN ('PENDING', 'QUEUED', 'RUNNING', 'MANUAL') GROUP BY status`,
    );
    return new Map(rows.map((row) => [row.status, row.count]));
  }

  /** Runs created in each hour since `since` (hours with none left out), oldest first. */
  async runsPerHour(since: Date): Promise<HourCount[]> {
    const rows = await this.db.query<{ hour: Date | string; total: number; succeeded: number; failed: number }>(
      `SELECT date_trunc('hour', created_at) AS hour, count(*)::int AS total,
              (count(*) FILTER (WHERE status = 'SUCCESS'))::int AS succeeded,
              (count(*) FILTER (WHERE status = 'FAILED'))::int AS failed
       FROM pipeline_runs WHERE created_at >= $1 GROUP BY 1 ORDER BY 1`,
      [since.toISOString()],
    );
    return rows.map((row) => ({ ...row, hour: new Date(row.hour) }));
  }

  /** Runs ended since `since`: succeeded and failed (cancelled ones count in neither). */
  async endedSince(since: Date): Promise<{ succeeded: number; failed: number }> {
    const [row] = await this.db.query<{ succeeded: number; failed: number }>(
      `SELECT (count(*) FILTER (WHERE status = 'SUCCESS'))::int AS succeeded,
              (count(*) FILTER (WHERE status = 'FAILED'))::int AS failed
       FROM pipeline_runs WHERE ended_at >= $1`,
      [since.toISOString()],
    );
    return { succeeded: row?.succeeded ?? 0, failed: row?.failed ?? 0 };
  }

  /** The pipeline's (or job's) name as frozen in the run's snapshot; null when the run is gone. */
  async pipelineNameOf(runId: string): Promise<string | null> {
    const rows = await this.db.query<{ name: string | null }>(
      "SELECT snapshot->>'name' AS name FROM pipeline_runs WHERE id = $1",
      [runId],
    );
    return rows[0]?.name ?? null;
  }

  /** Job runs waiting in the store (QUEUED: handed to an executor queue or held by a limit). */
  async queuedJobRuns(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ pool: string; count: number }>(
      "SELECT pool, count(*)::int AS count FROM job_runs WHERE status = 'QUEUED' GROUP BY pool",
    );
    return new Map(rows.map((row) => [row.pool, row.count]));
  }
}
