import { IdPrefix, newId } from '@fluxi/common';
import { storableText } from '../domain/safe-text.js';
import type { ContextWrite } from './context-records.js';
import { timestampParam } from './job-run-writes.js';
import { unnestArrays, type PendingStatement, type WriteBehind } from './write-behind.js';

/** Element types of the upsert's arrays, in the order of `v`'s columns. */
const UPSERT_TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'bigint',
  'boolean',
  'text',
  'text',
  'text',
  'bigint',
  'int',
  'text',
  'text',
  'text',
];

/**
 * Context writes of one transaction, written behind like job-run updates (see RunTx): one
 * upsert for all of them, in the statement of the writes kept back, before the transaction's
 * next statement that may read contexts or job runs, or its commit. A context written twice (the same job finished twice in a
 * batch) is written once, as it ended up. Its name and value are made storable (no NUL,
 * no lone surrogate): they come from events.
 */
export class ContextWrites implements WriteBehind {
  private readonly pending = new Map<string, { context: ContextWrite; at: Date }>();

  add(context: ContextWrite, at: Date): void {
    const key = `${context.kind}\u0000${context.ownerId}`;
    // Re-added at the end: the upsert writes them in the order they were last written.
    this.pending.delete(key);
    this.pending.set(key, { context, at });
  }

  takePending(offset: number): PendingStatement | undefined {
    if (this.pending.size === 0) return undefined;
    const writes = [...this.pending.values()];
    this.pending.clear();
    const column = <T>(value: (write: (typeof writes)[number]) => T): T[] => writes.map(value);
    // The id is used when the context is new; an existing one keeps its own.
    return {
      sql: `INSERT INTO contexts (id, kind, owner_id, name, value, size_bytes, truncated, pipeline_run_id, job_run_id,
         started_at, duration_ms, exit_code, status, parts, updated_at)
       SELECT v.id, v.kind, v.owner_id, v.name, v.value, v.size_bytes, v.truncated, v.pipeline_run_id, v.job_run_id,
         v.started_at::timestamptz, v.duration_ms, v.exit_code, v.status, v.parts::jsonb, v.updated_at::timestamptz
       FROM unnest(${unnestArrays(offset, UPSERT_TYPES)})
         AS v (id, kind, owner_id, name, value, size_bytes, truncated, pipeline_run_id, job_run_id, started_at,
           duration_ms, exit_code, status, parts, updated_at)
       ON CONFLICT (kind, owner_id) DO UPDATE SET name = EXCLUDED.name, value = EXCLUDED.value,
         size_bytes = EXCLUDED.size_bytes, truncated = EXCLUDED.truncated, pipeline_run_id = EXCLUDED.pipeline_run_id,
         job_run_id = EXCLUDED.job_run_id, started_at = EXCLUDED.started_at, duration_ms = EXCLUDED.duration_ms,
         exit_code = EXCLUDED.exit_code, status = EXCLUDED.status, parts = EXCLUDED.parts, updated_at = EXCLUDED.updated_at`,
      params: [
        column(({ context }) => newId(context.kind === 'job' ? IdPrefix.jobContext : IdPrefix.pipelineContext)),
        column(({ context }) => context.kind),
        column(({ context }) => context.ownerId),
        column(({ context }) => storableText(context.name)),
        column(({ context }) => storableText(context.value)),
        column(({ context }) => context.sizeBytes),
        column(({ context }) => context.truncated),
        column(({ context }) => context.pipelineRunId),
        column(({ context }) => context.jobRunId),
        column(({ context }) => timestampParam(context.startedAt)),
        column(({ context }) => context.durationMs),
        column(({ context }) => context.exitCode),
        column(({ context }) => context.status),
        column(({ context }) => JSON.stringify(context.parts)),
        column(({ at }) => timestampParam(at)),
      ],
    };
  }
}
