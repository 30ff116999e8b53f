import { IdPrefix, newId } from '@fluxi/common';
import type { SqlExecutor } from '@fluxi/db';
import { storableText } from '../domain/safe-text.js';
import {
  CONTEXT_COLUMNS,
  toContextRecord,
  type ContextRecord,
  type ContextRow,
  type ContextWrite,
} from './context-records.js';

/** Writes of contexts, inside the run engine's transaction. */
export class ContextTx {
  constructor(private readonly tx: SqlExecutor) {}

  /**
   * Writes the latest output of a job or pipeline; the context keeps its id across writes.
   * Its name and value are made storable (no NUL, no lone surrogate): they come from events.
   */
  async write(context: ContextWrite, at: Date): Promise<void> {
    const id = newId(context.kind === 'job' ? IdPrefix.jobContext : IdPrefix.pipelineContext);
    await this.tx.query(
      `INSERT INTO contexts (id, kind, owner_id, name, value, size_bytes, truncated, pipeline_run_id, job_run_id,
         started_at, duration_ms, exit_code, status, parts, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::text::jsonb, $15)
       ON CONFLICT (kind, owner_id) DO UPDATE SET name = EXCLUDED.name, value = EXCLUDED.value,
         size_bytes = EXCLUDED.size_bytes, truncated = EXCLUDED.truncated, pipeline_run_id = EXCLUDED.pipeline_run_id,
         job_run_id = EXCLUDED.job_run_id, started_at = EXCLUDED.started_at, duration_ms = EXCLUDED.duration_ms,
         exit_code = EXCLUDED.exit_code, status = EXCLUDED.status, parts = EXCLUDED.parts, updated_at = EXCLUDED.updated_at`,
      [
        id,
        context.kind,
        context.ownerId,
        storableText(context.name),
        storableText(context.value),
        context.sizeBytes,
        context.truncated,
        context.pipelineRunId,
        context.jobRunId,
        context.startedAt,
        context.durationMs,
        context.exitCode,
        context.status,
        JSON.stringify(context.parts),
        at,
      ],
    );
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
