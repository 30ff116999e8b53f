import type { SqlExecutor } from '@fluxi/db';
import {
  CONTEXT_COLUMNS,
  toContextRecord,
  type ContextRecord,
  type ContextRow,
  type ContextWrite,
} from './context-records.js';
import type { ContextWrites } from './context-writes.js';

/** Writes of contexts, inside the run engine's transaction. */
export class ContextTx {
  /** @param tx the transaction, writing what waits before each statement (see RunTx). */
  constructor(
    private readonly tx: SqlExecutor,
    private readonly writes: ContextWrites,
  ) {}

  /**
   * Writes the latest output of a job or pipeline; the context keeps its id across writes.
   * Written behind (see ContextWrites): with the transaction's next read, or its commit.
   */
  write(context: ContextWrite, at: Date): Promise<void> {
    this.writes.add(context, at);
    return Promise.resolve();
  }

  /** The number of the run that wrote a pipeline's context; undefined when none did (or that run is gone). */
  async pipelineContextRunNumber(pipelineId: string): Promise<number | undefined> {
    const rows = await this.tx.query<{ number: number }>(
      `SELECT r.number FROM contexts c JOIN pipeline_runs r ON r.id = c.pipeline_run_id
       WHERE c.kind = 'pipeline' AND c.owner_id = $1`,
      [pipelineId],
    );
    return rows[0]?.number;
  }

  /** The context ids of these jobs (job id → context id), for those that have one. */
  async idsOfJobs(jobIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.tx.query<{ id: string; owner_id: string }>(
      `SELECT id, owner_id FROM contexts WHERE kind = 'job' AND owner_id = ANY($1::text[])`,
      [[...new Set(jobIds)]],
    );
    return new Map(rows.map((row) => [row.owner_id, row.id]));
  }

  /** Empties a context (as before its first run); keeps its id and name. */
  async reset(id: string, at: Date): Promise<ContextRecord | undefined> {
    const rows = await this.tx.query<ContextRow>(
      `UPDATE contexts SET value = '', size_bytes = 0, truncated = false, pipeline_run_id = NULL, job_run_id = NULL,
         started_at = NULL, duration_ms = NULL, exit_code = NULL, status = NULL, parts = '[]'::jsonb, updated_at = $2
       WHERE id = $1 RETURNING ${CONTEXT_COLUMNS}`,
      [id, at],
    );
    return rows[0] === undefined ? undefined : toContextRecord(rows[0]);
  }
}
