import type { SqlExecutor } from '@fluxi/db';
import {
  JOB_RUN_COLUMNS,
  RUN_COLUMNS,
  toJobRunRecord,
  toRunRecord,
  type JobRunProgress,
  type JobRunRecord,
  type JobRunRow,
  type NewPipelineRun,
  type PipelineRunProgress,
  type PipelineRunRecord,
  type PipelineRunRow,
} from './records.js';

/** What the run engine may do inside one transaction. */
export class RunTx {
  constructor(private readonly tx: SqlExecutor) {}

  /**
   * The next run number of a pipeline or job: 1 + the last one handed out. The
   * counter row stays locked until commit, so concurrent triggers get 1, 2, 3…
   */
  async nextNumber(scope: { pipelineId: string } | { jobId: string }): Promise<number> {
    const key = 'pipelineId' in scope ? `pipeline:${scope.pipelineId}` : `job:${scope.jobId}`;
    const rows = await this.tx.query<{ last_number: number }>(
      `INSERT INTO run_counters (scope, last_number) VALUES ($1, 1)
       ON CONFLICT (scope) DO UPDATE SET last_number = run_counters.last_number + 1
       RETURNING last_number`,
      [key],
    );
    return (rows[0] as { last_number: number }).last_number;
  }

  async insertRun(run: NewPipelineRun): Promise<void> {
    await this.tx.query(
      `INSERT INTO pipeline_runs (id, pipeline_id, job_id, number, status, trigger, triggered_by, snapshot, created_at, started_at, ended_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9, $10, $11)`,
      [
        run.id,
        run.pipelineId,
        run.jobId,
        run.number,
        run.status,
        run.trigger,
        run.triggeredBy,
        JSON.stringify(run.snapshot),
        run.createdAt,
        run.startedAt,
        run.endedAt,
      ],
    );
  }

  async insertJobRuns(jobRuns: readonly JobRunRecord[]): Promise<void> {
    for (const j of jobRuns) {
      await this.tx.query(
        `INSERT INTO job_runs (${JOB_RUN_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9::text::jsonb, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
        [
          j.id,
          j.pipelineRunId,
          j.position,
          j.stageIndex,
          j.stageName,
          j.name,
          j.jobId,
          JSON.stringify(j.spec),
          JSON.stringify(j.needs),
          j.allowFailure,
          j.maxAttempts,
          j.status,
          j.attempt,
          j.exitCode,
          j.failureClass,
          j.reason,
          j.startedAt,
          j.endedAt,
        ],
      );
    }
  }

  /** The run a job run belongs to, without locking anything. */
  async runIdOfJobRun(jobRunId: string): Promise<string | undefined> {
    const rows = await this.tx.query<{ pipeline_run_id: string }>(
      'SELECT pipeline_run_id FROM job_runs WHERE id = $1',
      [jobRunId],
    );
    return rows[0]?.pipeline_run_id;
  }

  /** Locks a run (SELECT … FOR UPDATE) until commit and reads it with its job runs. */
  async lockRun(runId: string): Promise<{ run: PipelineRunRecord; jobRuns: JobRunRecord[] } | undefined> {
    const runs = await this.tx.query<PipelineRunRow>(
      `SELECT ${RUN_COLUMNS} FROM pipeline_runs WHERE id = $1 FOR UPDATE`,
      [runId],
    );
    const row = runs[0];
    if (row === undefined) return undefined;
    const jobRuns = await this.tx.query<JobRunRow>(
      `SELECT ${JOB_RUN_COLUMNS} FROM job_runs WHERE pipeline_run_id = $1 ORDER BY position`,
      [runId],
    );
    return { run: toRunRecord(row), jobRuns: jobRuns.map(toJobRunRecord) };
  }

  async updateJobRun(progress: JobRunProgress): Promise<void> {
    await this.tx.query(
      `UPDATE job_runs SET status = $2, attempt = $3, exit_code = $4, failure_class = $5, reason = $6, started_at = $7, ended_at = $8
       WHERE id = $1`,
      [
        progress.id,
        progress.status,
        progress.attempt,
        progress.exitCode,
        progress.failureClass,
        progress.reason,
        progress.startedAt,
        progress.endedAt,
      ],
    );
  }

  async updateRun(progress: PipelineRunProgress): Promise<void> {
    await this.tx.query('UPDATE pipeline_runs SET status = $2, started_at = $3, ended_at = $4 WHERE id = $1', [
      progress.id,
      progress.status,
      progress.startedAt,
      progress.endedAt,
    ]);
  }
}
