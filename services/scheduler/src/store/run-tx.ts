import { jobRunInserts } from './job-run-insert.js';
import type { SqlExecutor } from '@fluxi/db';
import { nullableText, storableText } from '../domain/safe-text.js';
import type { StageRunState } from '../domain/stages.js';
import { ContextTx } from './context-tx.js';
import { ContextWrites } from './context-writes.js';
import { StageWrites } from './stage-writes.js';
import { takeAll, type WriteBehind } from './write-behind.js';
import { DispatchTx } from './dispatch-tx.js';
import { JobRunWrites, type KeptOutput } from './job-run-writes.js';
import { OutboxTx } from './outbox.js';
import { jobRunRowsFromJson, jobRunsJsonSql } from './job-run-json.js';
import {
  RUN_COLUMNS,
  toJobRunRecord,
  toRunRecord,
  type ConcurrencyState,
  type JobRunProgress,
  type JobRunRecord,
  type NewPipelineRun,
  type PipelineRunProgress,
  type PipelineRunRecord,
  type PipelineRunRow,
} from './records.js';

export interface LockedRun {
  run: PipelineRunRecord;
  jobRuns: JobRunRecord[];
  /** The seq of the run's last stored run event, read with the lock held (0: none yet). */
  eventSeq: number;
}

/** What the run engine may do inside one transaction. */
export class RunTx {
  readonly contexts: ContextTx;
  /** Hand-overs to the executors under the pool and job limits. */
  readonly dispatch: DispatchTx;
  /** Run events stored with the change they describe. */
  readonly outbox: OutboxTx;

  /** Job-run updates, context writes and stage records, written behind (see JobRunWrites). */
  private readonly jobRunWrites: JobRunWrites;
  private readonly contextWrites: ContextWrites;
  private readonly stageWrites = new StageWrites();
  private readonly writesBehind: readonly WriteBehind[];
  /** Runs a statement after the writes waiting: what may read or change job runs or contexts goes through it. */
  private readonly tx: SqlExecutor;

  /**
   * @param sql the transaction. Statements that neither read job runs or contexts nor
   * change them (stage records, attempt records, artifacts, the run row, the outbox) use
   * it directly, so the writes behind keep gathering across them.
   */
  constructor(private readonly sql: SqlExecutor) {
    this.outbox = new OutboxTx();
    this.jobRunWrites = new JobRunWrites();
    this.contextWrites = new ContextWrites();
    // The job-run UPDATE last: the main statement, the others its CTEs (see takeAll).
    this.writesBehind = [this.outbox, this.stageWrites, this.contextWrites, this.jobRunWrites];
    this.tx = {
      query: async (text, params) => {
        await this.flush();
        return sql.query(text, params);
      },
    };
    this.contexts = new ContextTx(this.tx, this.contextWrites);
    this.dispatch = new DispatchTx(this.tx, (id, attempt) => this.jobRunWrites.markHandedOver(id, attempt));
  }

  /** Writes the job-run updates, contexts, stage records and run events kept back, in one statement (before the commit, and before reads). */
  async flush(): Promise<void> {
    const statement = takeAll(this.writesBehind);
    if (statement !== undefined) await this.sql.query(statement.sql, statement.params);
  }

  /**
   * The next run number of a pipeline or job: 1 + the last one handed out. The
   * counter row stays locked until commit, so concurrent triggers get 1, 2, 3…
   */
  async nextNumber(scope: { pipelineId: string } | { jobId: string }): Promise<number> {
    const key = 'pipelineId' in scope ? `pipeline:${scope.pipelineId}` : `job:${scope.jobId}`;
    return this.bumpCounter(key);
  }

  /** Serialises every transaction that touches a concurrency group, until commit. */
  async lockGroup(group: string): Promise<void> {
    await this.bumpCounter(`group:${group}`);
  }

  private async bumpCounter(key: string): Promise<number> {
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
      `INSERT INTO pipeline_runs (id, pipeline_id, job_id, number, status, trigger, triggered_by, triggered_by_name,
         branch, commit_sha, rerun_of, failed_only, reason, timeout_sec, deadline_at, concurrency_group, concurrency_state,
         snapshot, created_at, started_at, ended_at, idempotency_key, provenance, traceparent, trace_parent_span_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18::text::jsonb, $19, $20, $21,
         $22, $23::text::jsonb, $24, $25)`,
      [
        run.id,
        run.pipelineId,
        run.jobId,
        run.number,
        run.status,
        run.trigger,
        run.triggeredBy,
        run.triggeredByName,
        run.branch,
        run.commitSha,
        run.rerunOf,
        run.failedOnly,
        run.reason,
        run.timeoutSec,
        run.deadlineAt,
        run.concurrencyGroup,
        run.concurrencyState,
        JSON.stringify(run.snapshot),
        run.createdAt,
        run.startedAt,
        run.endedAt,
        run.idempotencyKey ?? null,
        run.provenance === undefined || run.provenance === null ? null : JSON.stringify(run.provenance),
        run.trace?.traceparent ?? null,
        run.trace?.parentSpanId ?? null,
      ],
    );
  }

  /** Inserts a run's job runs, many rows per statement. */
  async insertJobRuns(jobRuns: readonly JobRunRecord[]): Promise<void> {
    for (const insert of jobRunInserts(jobRuns)) await this.tx.query(insert.sql, insert.params);
  }

  /** Locks the run a job run belongs to and reads it (see lockRun). */
  async lockRunOfJobRun(jobRunId: string): Promise<LockedRun | undefined> {
    return this.lockRunWhere('(SELECT pipeline_run_id FROM job_runs WHERE id = $1)', jobRunId);
  }

  /** Locks a run (SELECT … FOR UPDATE) until commit and reads it with its job runs. */
  lockRun(runId: string): Promise<LockedRun | undefined> {
    return this.lockRunWhere('$1', runId);
  }

  private async lockRunWhere(idExpression: string, param: string): Promise<LockedRun | undefined> {
    const runs = await this.tx.query<PipelineRunRow>(
      `SELECT ${RUN_COLUMNS} FROM pipeline_runs WHERE id = ${idExpression} FOR UPDATE`,
      [param],
    );
    const row = runs[0];
    if (row === undefined) return undefined;
    // Read after the lock was taken (a new snapshot): the job runs, and the last event seq of
    // the transaction before.
    const [read] = await this.tx.query<{ job_runs: string | null; event_seq: string | number | null }>(
      `SELECT ${jobRunsJsonSql('pipeline_run_id = $1')} AS job_runs,
         (SELECT last_seq FROM run_event_streams WHERE pipeline_run_id = $1) AS event_seq`,
      [row.id],
    );
    return {
      run: toRunRecord(row),
      jobRuns: jobRunRowsFromJson(read?.job_runs).map(toJobRunRecord),
      eventSeq: Number(read?.event_seq ?? 0),
    };
  }

  /** Arms PENDING job runs at their current attempt (see JobRunWrites.arm); written with the transaction's next statement. */
  armJobRuns(jobRuns: readonly JobRunProgress[]): void {
    for (const progress of jobRuns) this.jobRunWrites.arm(progress);
  }

  /**
   * Writes a job run's progress, and the standard output of the attempt that just ran when
   * given, behind: with the transaction's next statement that may read job runs, or its
   * commit (JobRunWrites; reason and output are made storable there).
   */
  updateJobRun(progress: JobRunProgress, output?: KeptOutput): Promise<void> {
    this.jobRunWrites.add(progress, output);
    return Promise.resolve();
  }

  async updateRun(progress: PipelineRunProgress): Promise<void> {
    await this.sql.query(
      'UPDATE pipeline_runs SET status = $2, reason = $3, started_at = $4, ended_at = $5 WHERE id = $1',
      [progress.id, progress.status, progress.reason, progress.startedAt, progress.endedAt],
    );
  }

  /** Sets when an open run times out (a run reopened by playing a manual job run counts from then). */
  async setDeadline(runId: string, deadlineAt: Date | null): Promise<void> {
    await this.tx.query('UPDATE pipeline_runs SET deadline_at = $2 WHERE id = $1', [runId, deadlineAt]);
  }

  /** Marks a run that waited for its concurrency group as started, with its deadline. */
  async admitRun(runId: string, deadlineAt: Date | null): Promise<void> {
    await this.tx.query(`UPDATE pipeline_runs SET concurrency_state = 'admitted', deadline_at = $2 WHERE id = $1`, [
      runId,
      deadlineAt,
    ]);
  }

  /** Open runs of a concurrency group in creation order, with their state. */
  async openRunsOfGroup(group: string): Promise<{ id: string; state: ConcurrencyState }[]> {
    return this.tx.query<{ id: string; state: ConcurrencyState }>(
      `SELECT id, concurrency_state AS state FROM pipeline_runs
       WHERE concurrency_group = $1 AND ended_at IS NULL ORDER BY created_at, id`,
      [group],
    );
  }

  /** Writes the stage records of a run (insert or update). */
  /** Writes stage records behind (see StageWrites): with the transaction's next flush. */
  saveStageRuns(runId: string, stages: readonly StageRunState[]): Promise<void> {
    this.stageWrites.add(runId, stages);
    return Promise.resolve();
  }

  /** Records an attempt that ended (finished, retried, cancelled, timed out). */
  async endAttempt(
    jobRunId: string,
    attempt: number,
    values: Pick<
      JobRunRecord,
      'status' | 'exitCode' | 'failureClass' | 'reason' | 'notBefore' | 'startedAt' | 'endedAt'
    >,
  ): Promise<void> {
    await this.sql.query(
      `INSERT INTO job_run_attempts (job_run_id, attempt, status, not_before, started_at, ended_at, exit_code, failure_class, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (job_run_id, attempt) DO UPDATE SET status = EXCLUDED.status, not_before = EXCLUDED.not_before,
         started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, exit_code = EXCLUDED.exit_code,
         failure_class = EXCLUDED.failure_class, reason = EXCLUDED.reason`,
      [
        jobRunId,
        attempt,
        values.status,
        values.notBefore,
        values.startedAt,
        values.endedAt,
        values.exitCode,
        values.failureClass,
        nullableText(values.reason),
      ],
    );
  }

  async insertArtifacts(
    jobRunId: string,
    attempt: number,
    files: readonly { path: string; sizeBytes: number }[],
  ): Promise<void> {
    for (const file of files) {
      await this.sql.query(
        `INSERT INTO artifacts (job_run_id, attempt, path, size_bytes) VALUES ($1, $2, $3, $4)
         ON CONFLICT (job_run_id, attempt, path) DO UPDATE SET size_bytes = EXCLUDED.size_bytes`,
        [jobRunId, attempt, storableText(file.path), file.sizeBytes],
      );
    }
  }

  /** The pipeline's (or job's) name as frozen in the run's snapshot. */
  async pipelineNameOf(runId: string): Promise<string | null> {
    const rows = await this.tx.query<{ name: string | null }>(
      "SELECT snapshot->>'name' AS name FROM pipeline_runs WHERE id = $1",
      [runId],
    );
    return rows[0]?.name ?? null;
  }

  /** The output one job run kept (its latest attempt's standard output). */
  async outputOf(jobRunId: string): Promise<{ output: string | null; outputBytes: number } | undefined> {
    const rows = await this.tx.query<{ output: string | null; output_bytes: string | number | null }>(
      'SELECT output, output_bytes FROM job_runs WHERE id = $1',
      [jobRunId],
    );
    const row = rows[0];
    return row === undefined ? undefined : { output: row.output, outputBytes: Number(row.output_bytes ?? 0) };
  }

  /** Copies a reused job run's output (failed-only rerun), so `$$(name)` in the rerun sees it. */
  async copyOutput(fromJobRunId: string, toJobRunId: string): Promise<void> {
    await this.tx.query(
      `UPDATE job_runs SET output = src.output, output_bytes = src.output_bytes
       FROM job_runs src WHERE src.id = $1 AND job_runs.id = $2`,
      [fromJobRunId, toJobRunId],
    );
  }
}
