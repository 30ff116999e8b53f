import type { Database } from '@fluxi/db';
import { migrate } from '@fluxi/db';
import type { StageRunState } from '../domain/stages.js';
import { CONTEXT_COLUMNS, toContextRecord, type ContextRecord, type ContextRow } from './context-records.js';
import { DeadLetterStore } from './dead-letters.js';
import { DispatchTx } from './dispatch-tx.js';
import { migrations } from './migrations.js';
import { OutboxStore, type OutboxEvent } from './outbox.js';
import { RetentionStore } from './retention.js';
import { selectOutputs, type JobRunOutput } from './outputs.js';
import {
  JOB_RUN_READ_COLUMNS,
  RUN_COLUMNS,
  status,
  toJobRunRecord,
  toRunRecord,
  type JobRunRecord,
  type JobRunRow,
  type PipelineRunRecord,
  type PipelineRunRow,
  type StoredJson,
} from './records.js';
import { RunTx } from './run-tx.js';

export interface StageRunRecord extends StageRunState {
  pipelineRunId: string;
}

export interface AttemptRecord {
  jobRunId: string;
  attempt: number;
  status: string;
  notBefore: Date | null;
  startedAt: Date | null;
  endedAt: Date | null;
  exitCode: number | null;
  failureClass: string | null;
  reason: string | null;
}

export interface ArtifactRecord {
  jobRunId: string;
  attempt: number;
  path: string;
  sizeBytes: number;
}

const MAX_TRANSACTION_ATTEMPTS = 3;

/** Deadlock detected, or serialization failure: the same transaction may succeed when run again. */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** An attempt the store has as queued or running. */
export interface OpenAttempt {
  jobRunId: string;
  pipelineRunId: string;
  attempt: number;
  status: 'QUEUED' | 'RUNNING';
}

/** Pipeline runs, job runs, their history and contexts in the `scheduler` schema. */
export class RunStore {
  /** Executor events that failed every delivery. */
  readonly deadLetters: DeadLetterStore;
  /** Dispatch reads and hand-overs outside the engine's transactions. */
  readonly dispatch: DispatchTx;
  /** The run-event outbox, as the relay reads it. */
  readonly outbox: OutboxStore;
  /** Run history retention. */
  readonly retention: RetentionStore;
  private readonly eventListeners: ((events: readonly OutboxEvent[]) => void)[] = [];

  constructor(private readonly db: Database) {
    this.deadLetters = new DeadLetterStore(db);
    this.dispatch = new DispatchTx(db);
    this.outbox = new OutboxStore(db);
    this.retention = new RetentionStore(db);
  }

  /** Calls `listener` with the run events a transaction stored, after its commit (the relay publishes them). */
  onEventsCommitted(listener: (events: readonly OutboxEvent[]) => void): void {
    this.eventListeners.push(listener);
  }

  /** Applies the scheduler's migrations. */
  async migrate(): Promise<void> {
    await migrate(this.db, migrations);
  }

  /**
   * Runs `fn` in one transaction: all of it is committed, or none. A transaction that
   * PostgreSQL aborts as a deadlock victim (two runs of a concurrency group ending and
   * starting at once lock the run and the group in opposite orders) is run again: the
   * engine's transactions only read and write the database, their effects come after commit.
   */
  async transaction<T>(fn: (tx: RunTx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        let appended: readonly OutboxEvent[] = [];
        const result = await this.db.transaction(async (sql) => {
          const tx = new RunTx(sql);
          const value = await fn(tx);
          // Job-run updates still waiting, and events no statement took along, are written now, before the commit.
          await tx.flush();
          appended = tx.outbox.appended;
          return value;
        });
        if (appended.length > 0) for (const listener of this.eventListeners) listener(appended);
        return result;
      } catch (error) {
        if (attempt >= MAX_TRANSACTION_ATTEMPTS || !isTransient(error)) throw error;
      }
    }
  }

  async getRun(id: string): Promise<PipelineRunRecord | undefined> {
    const rows = await this.db.query<PipelineRunRow>(`SELECT ${RUN_COLUMNS} FROM pipeline_runs WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toRunRecord(rows[0]);
  }

  /** Proto JSON of the snapshot frozen into a run. */
  /** The run an idempotency key was used for, if any. */
  async runByIdempotencyKey(key: string): Promise<{ id: string; number: number } | undefined> {
    const rows = await this.db.query<{ id: string; number: number }>(
      'SELECT id, number FROM pipeline_runs WHERE idempotency_key = $1',
      [key],
    );
    return rows[0];
  }

  async getSnapshot(id: string): Promise<StoredJson | undefined> {
    const rows = await this.db.query<{ snapshot: StoredJson }>('SELECT snapshot FROM pipeline_runs WHERE id = $1', [
      id,
    ]);
    return rows[0]?.snapshot;
  }

  /** The newest runs of a pipeline first. */
  async listRuns(pipelineId: string, limit: number): Promise<PipelineRunRecord[]> {
    const rows = await this.db.query<PipelineRunRow>(
      `SELECT ${RUN_COLUMNS} FROM pipeline_runs WHERE pipeline_id = $1 ORDER BY number DESC LIMIT $2`,
      [pipelineId, limit],
    );
    return rows.map(toRunRecord);
  }

  /** The job runs of these runs, in stage and entry order within each run. */
  async jobRunsOf(runIds: readonly string[]): Promise<JobRunRecord[]> {
    if (runIds.length === 0) return [];
    const rows = await this.db.query<JobRunRow>(
      `SELECT ${JOB_RUN_READ_COLUMNS} FROM job_runs WHERE pipeline_run_id = ANY($1::text[]) ORDER BY pipeline_run_id, position`,
      [runIds],
    );
    return rows.map(toJobRunRecord);
  }

  async getJobRun(id: string): Promise<JobRunRecord | undefined> {
    const rows = await this.db.query<JobRunRow>(`SELECT ${JOB_RUN_READ_COLUMNS} FROM job_runs WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toJobRunRecord(rows[0]);
  }

  /** Which run a job run is of and its latest attempt (no spec read); undefined when there is none. */
  async jobRunRef(id: string): Promise<{ id: string; pipelineRunId: string; attempt: number } | undefined> {
    const rows = await this.db.query<{ pipeline_run_id: string; attempt: number }>(
      'SELECT pipeline_run_id, attempt FROM job_runs WHERE id = $1',
      [id],
    );
    const row = rows[0];
    return row === undefined ? undefined : { id, pipelineRunId: row.pipeline_run_id, attempt: row.attempt };
  }

  /** Every job run waiting in the executor queue (or that should be): QUEUED and handed over. */
  async listQueued(): Promise<JobRunRecord[]> {
    const rows = await this.db.query<JobRunRow>(
      `SELECT ${JOB_RUN_READ_COLUMNS} FROM job_runs WHERE status = 'QUEUED' AND dispatched_attempt = attempt ORDER BY id`,
    );
    return rows.map(toJobRunRecord);
  }

  /** Every job run QUEUED or RUNNING whose current attempt was handed to the executors (not held back by a limit). */
  async listOpenAttempts(): Promise<OpenAttempt[]> {
    const rows = await this.db.query<{ id: string; pipeline_run_id: string; attempt: number; status: string }>(
      `SELECT id, pipeline_run_id, attempt, status FROM job_runs
       WHERE status IN ('QUEUED', 'RUNNING') AND dispatched_attempt = attempt ORDER BY id`,
    );
    return rows.map((row) => ({
      jobRunId: row.id,
      pipelineRunId: row.pipeline_run_id,
      attempt: row.attempt,
      status: row.status === 'QUEUED' ? 'QUEUED' : 'RUNNING',
    }));
  }

  async stageRunsOf(runIds: readonly string[]): Promise<StageRunRecord[]> {
    if (runIds.length === 0) return [];
    const rows = await this.db.query<{
      pipeline_run_id: string;
      stage_index: number;
      name: string;
      status: string;
      started_at: Date | null;
      ended_at: Date | null;
    }>(
      `SELECT pipeline_run_id, stage_index, name, status, started_at, ended_at FROM stage_runs
       WHERE pipeline_run_id = ANY($1::text[]) ORDER BY pipeline_run_id, stage_index`,
      [runIds],
    );
    return rows.map((row) => ({
      pipelineRunId: row.pipeline_run_id,
      index: row.stage_index,
      name: row.name,
      status: status(row.status),
      startedAt: row.started_at,
      endedAt: row.ended_at,
    }));
  }

  async attemptsOf(jobRunIds: readonly string[]): Promise<AttemptRecord[]> {
    if (jobRunIds.length === 0) return [];
    const rows = await this.db.query<{
      job_run_id: string;
      attempt: number;
      status: string;
      not_before: Date | null;
      started_at: Date | null;
      ended_at: Date | null;
      exit_code: number | null;
      failure_class: string | null;
      reason: string | null;
    }>(
      `SELECT job_run_id, attempt, status, not_before, started_at, ended_at, exit_code, failure_class, reason
       FROM job_run_attempts WHERE job_run_id = ANY($1::text[]) ORDER BY job_run_id, attempt`,
      [jobRunIds],
    );
    return rows.map((row) => ({
      jobRunId: row.job_run_id,
      attempt: row.attempt,
      status: row.status,
      notBefore: row.not_before,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      exitCode: row.exit_code,
      failureClass: row.failure_class,
      reason: row.reason,
    }));
  }

  /** The artifacts of the latest attempt that saved any, per job run. */
  async artifactsOf(jobRunIds: readonly string[]): Promise<ArtifactRecord[]> {
    if (jobRunIds.length === 0) return [];
    const rows = await this.db.query<{
      job_run_id: string;
      attempt: number;
      path: string;
      size_bytes: string | number;
    }>(
      `SELECT a.job_run_id, a.attempt, a.path, a.size_bytes FROM artifacts a
       WHERE a.job_run_id = ANY($1::text[])
         AND a.attempt = (SELECT max(b.attempt) FROM artifacts b WHERE b.job_run_id = a.job_run_id)
       ORDER BY a.job_run_id, a.path`,
      [jobRunIds],
    );
    return rows.map((row) => ({
      jobRunId: row.job_run_id,
      attempt: row.attempt,
      path: row.path,
      sizeBytes: Number(row.size_bytes),
    }));
  }

  /** Names, statuses and outputs of a run's job runs. */
  outputsOf(runId: string): Promise<JobRunOutput[]> {
    return selectOutputs(this.db, runId);
  }

  /** Open runs whose deadline has passed. */
  async overdueRuns(now: Date): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      'SELECT id FROM pipeline_runs WHERE deadline_at IS NOT NULL AND deadline_at <= $1 AND ended_at IS NULL ORDER BY deadline_at',
      [now],
    );
    return rows.map((row) => row.id);
  }

  async getContext(id: string): Promise<ContextRecord | undefined> {
    const rows = await this.db.query<ContextRow>(`SELECT ${CONTEXT_COLUMNS} FROM contexts WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toContextRecord(rows[0]);
  }

  /** The most recently written context of that job or pipeline name; a job's wins over a pipeline's. */
  async contextByName(name: string): Promise<ContextRecord | undefined> {
    const rows = await this.db.query<ContextRow>(
      `SELECT ${CONTEXT_COLUMNS} FROM contexts WHERE name = $1
       ORDER BY CASE kind WHEN 'job' THEN 0 ELSE 1 END, updated_at DESC LIMIT 1`,
      [name],
    );
    return rows[0] === undefined ? undefined : toContextRecord(rows[0]);
  }

  async listContexts(): Promise<ContextRecord[]> {
    const rows = await this.db.query<ContextRow>(`SELECT ${CONTEXT_COLUMNS} FROM contexts ORDER BY kind, name, id`);
    return rows.map(toContextRecord);
  }
}
