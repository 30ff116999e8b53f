import type { SqlExecutor } from '@fluxi/db';
import type { HeldJobRun, Occupancy } from '../domain/limits.js';
import { jobRunRowsFromJson, jobRunsJsonSql } from './job-run-json.js';
import { toJobRunRecord, type JobRunRecord } from './records.js';

/** What dispatch reads of a run: its pipeline, log retention and the git push behind it (provenance). */
export interface DispatchRunRow {
  id: string;
  pipelineId: string | null;
  logRetentionDays: number | null;
  provenance: { git?: { repository: string; commit: string; ref: string } } | null;
}

/** A QUEUED job run's place in the dispatch: whether its current attempt was handed to the executors. */
export interface DispatchState {
  readonly dispatched: boolean;
  readonly pool: string;
  readonly jobId: string;
  readonly maxConcurrent: number;
}

/**
 * What dispatch reads and writes of job runs (in a transaction, or alone): which QUEUED
 * attempts are held back, how full pools and jobs are, and the hand-over itself. An
 * attempt counts against the limits from its hand-over until its job run leaves QUEUED
 * and RUNNING (retry backoff included: it is in the queue, delayed).
 */
export class DispatchTx {
  /**
   * @param markWithUpdate in a run's transaction: marks a hand-over with the job run's waiting
   * update instead of a statement of its own, when there is one (JobRunWrites.markHandedOver).
   */
  constructor(
    private readonly tx: SqlExecutor,
    private readonly markWithUpdate: (jobRunId: string, attempt: number) => boolean = () => false,
  ) {}

  /** Serialises the hand-overs of a pool or a job (counter rows locked until commit). */
  async lock(keys: readonly string[]): Promise<void> {
    for (const key of [...keys].sort()) {
      await this.tx.query(
        `INSERT INTO run_counters (scope, last_number) VALUES ($1, 1)
         ON CONFLICT (scope) DO UPDATE SET last_number = run_counters.last_number + 1`,
        [key],
      );
    }
  }

  /** QUEUED job runs whose current attempt was not handed over, oldest run first. */
  async held(): Promise<HeldJobRun[]> {
    const rows = await this.tx.query<{
      id: string;
      pipeline_run_id: string;
      attempt: number;
      pool: string;
      job_id: string;
      job_name: string | null;
      max_concurrent: number;
    }>(
      `SELECT j.id, j.pipeline_run_id, j.attempt, j.pool, j.job_id, j.spec->>'name' AS job_name, j.max_concurrent
       FROM job_runs j JOIN pipeline_runs r ON r.id = j.pipeline_run_id
       WHERE j.status = 'QUEUED' AND j.dispatched_attempt IS DISTINCT FROM j.attempt
       ORDER BY r.created_at, r.id, j.position`,
    );
    return rows.map((row) => ({
      id: row.id,
      pipelineRunId: row.pipeline_run_id,
      attempt: row.attempt,
      pool: row.pool,
      jobId: row.job_id,
      jobName: row.job_name ?? row.job_id,
      maxConcurrent: row.max_concurrent,
    }));
  }

  /** Open attempts handed over, per pool and per job, and the pools' hand-overs since `since`. */
  async occupancy(pools: readonly string[], jobIds: readonly string[], since: Date): Promise<Occupancy> {
    const byPool = await this.tx.query<{ pool: string; n: string | number }>(
      `SELECT pool, count(*) AS n FROM job_runs
       WHERE status IN ('QUEUED', 'RUNNING') AND dispatched_attempt = attempt AND pool = ANY($1::text[])
       GROUP BY pool`,
      [pools],
    );
    const byJob = await this.tx.query<{ job_id: string; n: string | number }>(
      `SELECT job_id, count(*) AS n FROM job_runs
       WHERE status IN ('QUEUED', 'RUNNING') AND dispatched_attempt = attempt AND job_id = ANY($1::text[])
       GROUP BY job_id`,
      [jobIds],
    );
    const recent = await this.tx.query<{ pool: string; n: string | number }>(
      'SELECT pool, count(*) AS n FROM pool_dispatches WHERE pool = ANY($1::text[]) AND at > $2 GROUP BY pool',
      [pools, since],
    );
    return {
      pools: new Map(byPool.map((row) => [row.pool, Number(row.n)])),
      jobs: new Map(byJob.map((row) => [row.job_id, Number(row.n)])),
      recent: new Map(recent.map((row) => [row.pool, Number(row.n)])),
    };
  }

  /**
   * Marks these attempts handed over, unless their job run moved on meanwhile (cancelled,
   * ended, another attempt): returns the ids it marked.
   */
  async markDispatched(attempts: readonly { id: string; attempt: number }[]): Promise<string[]> {
    // Those the transaction just queued: marked by their waiting update, one statement fewer.
    const withUpdate = new Set(attempts.filter((a) => this.markWithUpdate(a.id, a.attempt)));
    const rest = attempts.filter((a) => !withUpdate.has(a));
    const marked = [...withUpdate].map((a) => a.id);
    if (rest.length === 0) return marked;
    const rows = await this.tx.query<{ id: string }>(
      `UPDATE job_runs j SET dispatched_attempt = j.attempt
       FROM unnest($1::text[], $2::int[]) AS v (id, attempt)
       WHERE j.id = v.id AND j.attempt = v.attempt AND j.status = 'QUEUED'
         AND j.dispatched_attempt IS DISTINCT FROM j.attempt
       RETURNING j.id`,
      [rest.map((a) => a.id), rest.map((a) => a.attempt)],
    );
    return [...marked, ...rows.map((row) => row.id)];
  }

  /** Records hand-overs to rate-limited pools, and forgets those older than `before`. */
  async recordRate(pools: readonly string[], at: Date, before: Date): Promise<void> {
    if (pools.length > 0) {
      await this.tx.query('INSERT INTO pool_dispatches (pool, at) SELECT unnest($1::text[]), $2', [pools, at]);
    }
    await this.tx.query('DELETE FROM pool_dispatches WHERE at <= $1', [before]);
  }

  /** Whether the job run's current attempt was handed over, with what its limits read. */
  async stateOf(jobRunId: string): Promise<DispatchState | undefined> {
    const rows = await this.tx.query<{ dispatched: boolean; pool: string; job_id: string; max_concurrent: number }>(
      `SELECT dispatched_attempt IS NOT DISTINCT FROM attempt AS dispatched, pool, job_id, max_concurrent
       FROM job_runs WHERE id = $1`,
      [jobRunId],
    );
    const row = rows[0];
    return row === undefined
      ? undefined
      : { dispatched: row.dispatched, pool: row.pool, jobId: row.job_id, maxConcurrent: row.max_concurrent };
  }

  /** What the hand-over of these runs' attempts needs of the runs: pipeline, log retention. */
  async runsOf(runIds: readonly string[]): Promise<DispatchRunRow[]> {
    if (runIds.length === 0) return [];
    const rows = await this.tx.query<{
      id: string;
      pipeline_id: string | null;
      log_retention_days: number | null;
      provenance: DispatchRunRow['provenance'];
    }>('SELECT id, pipeline_id, log_retention_days, provenance FROM pipeline_runs WHERE id = ANY($1::text[])', [
      runIds,
    ]);
    return rows.map((row) => ({
      id: row.id,
      pipelineId: row.pipeline_id,
      logRetentionDays: row.log_retention_days,
      provenance: row.provenance,
    }));
  }

  /** The job runs of these runs (what an attempt's hand-over needs: spec, artifacts of what it waits for). */
  async jobRunsOf(runIds: readonly string[]): Promise<JobRunRecord[]> {
    if (runIds.length === 0) return [];
    const [read] = await this.tx.query<{ job_runs: string | null }>(
      `SELECT ${jobRunsJsonSql('pipeline_run_id = ANY($1::text[])')} AS job_runs`,
      [runIds],
    );
    return jobRunRowsFromJson(read?.job_runs).map(toJobRunRecord);
  }
}
