import type { Database } from '@fluxi/db';
import { migrate } from '@fluxi/db';
import { migrations } from './migrations.js';
import {
  JOB_RUN_COLUMNS,
  RUN_COLUMNS,
  toJobRunRecord,
  toRunRecord,
  type JobRunRecord,
  type JobRunRow,
  type PipelineRunRecord,
  type PipelineRunRow,
  type StoredJson,
} from './records.js';
import { RunTx } from './run-tx.js';

/** Pipeline runs and job runs in the `scheduler` schema. */
export class RunStore {
  constructor(private readonly db: Database) {}

  /** Applies the scheduler's migrations. */
  async migrate(): Promise<void> {
    await migrate(this.db, migrations);
  }

  /** Runs `fn` in one transaction: all of it is committed, or none. */
  transaction<T>(fn: (tx: RunTx) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new RunTx(tx)));
  }

  async getRun(id: string): Promise<PipelineRunRecord | undefined> {
    const rows = await this.db.query<PipelineRunRow>(`SELECT ${RUN_COLUMNS} FROM pipeline_runs WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toRunRecord(rows[0]);
  }

  /** Proto JSON of the snapshot frozen into a run. */
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
      `SELECT ${JOB_RUN_COLUMNS} FROM job_runs WHERE pipeline_run_id = ANY($1::text[]) ORDER BY pipeline_run_id, position`,
      [runIds],
    );
    return rows.map(toJobRunRecord);
  }

  async getJobRun(id: string): Promise<JobRunRecord | undefined> {
    const rows = await this.db.query<JobRunRow>(`SELECT ${JOB_RUN_COLUMNS} FROM job_runs WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toJobRunRecord(rows[0]);
  }

  /** Every job run waiting in the executor queue (or that should be). */
  async listQueued(): Promise<JobRunRecord[]> {
    const rows = await this.db.query<JobRunRow>(
      `SELECT ${JOB_RUN_COLUMNS} FROM job_runs WHERE status = 'QUEUED' ORDER BY id`,
    );
    return rows.map(toJobRunRecord);
  }
}
