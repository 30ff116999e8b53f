import type { Database } from '@fluxi/db';

/** A run's trace context as trigger stored it (migration 011). */
export interface StoredRunTrace {
  readonly traceparent: string;
  readonly parentSpanId: string | null;
}

/** Reads the runs' trace contexts (only with tracing on). */
export class TraceStore {
  constructor(private readonly db: Database) {}

  /** The stored trace context of each of `runIds` that has one. */
  async runTraces(runIds: readonly string[]): Promise<Map<string, StoredRunTrace>> {
    if (runIds.length === 0) return new Map();
    const rows = await this.db.query<{ id: string; traceparent: string; trace_parent_span_id: string | null }>(
      `SELECT id, traceparent, trace_parent_span_id FROM pipeline_runs
       WHERE id = ANY ($1::text[]) AND traceparent IS NOT NULL`,
      [runIds],
    );
    return new Map(
      rows.map((row) => [row.id, { traceparent: row.traceparent, parentSpanId: row.trace_parent_span_id }]),
    );
  }

  /** The pipeline's name as frozen in the run (the job's, for a run of one job); '' for an unknown run. */
  async runName(runId: string): Promise<string> {
    const rows = await this.db.query<{ name: string | null }>(
      `SELECT snapshot->>'name' AS name FROM pipeline_runs WHERE id = $1`,
      [runId],
    );
    return rows[0]?.name ?? '';
  }
}
