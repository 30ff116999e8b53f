export type ContextKind = 'job' | 'pipeline';

/** One job's share of a pipeline context. */
export interface ContextPart {
  /** Job run name in the run. */
  name: string;
  jobRunId: string;
  /** The job's own context (CJ…). */
  contextId: string | null;
}

/** The latest output of a job (CJ…) or pipeline (CP…), and how it was made. */
export interface ContextRecord {
  id: string;
  kind: ContextKind;
  /** Job id or pipeline id. */
  ownerId: string;
  /** Job or pipeline name when it was last written. */
  name: string;
  value: string;
  /** Size of the whole output; more than the value holds when `truncated`. */
  sizeBytes: number;
  truncated: boolean;
  pipelineRunId: string | null;
  jobRunId: string | null;
  startedAt: Date | null;
  durationMs: number | null;
  exitCode: number | null;
  /** Status of the job run (or run) that made it. */
  status: string | null;
  parts: ContextPart[];
  updatedAt: Date;
}

/** What a finished execution writes into a context. */
export type ContextWrite = Omit<ContextRecord, 'id' | 'updatedAt'>;

export interface ContextRow {
  id: string;
  kind: ContextKind;
  owner_id: string;
  name: string;
  value: string;
  size_bytes: string | number;
  truncated: boolean;
  pipeline_run_id: string | null;
  job_run_id: string | null;
  started_at: Date | null;
  duration_ms: string | number | null;
  exit_code: number | null;
  status: string | null;
  parts: ContextPart[];
  updated_at: Date;
}

export const CONTEXT_COLUMNS =
  'id, kind, owner_id, name, value, size_bytes, truncated, pipeline_run_id, job_run_id, started_at, duration_ms, ' +
  'exit_code, status, parts, updated_at';

export function toContextRecord(row: ContextRow): ContextRecord {
  return {
    id: row.id,
    kind: row.kind,
    ownerId: row.owner_id,
    name: row.name,
    value: row.value,
    sizeBytes: Number(row.size_bytes),
    truncated: row.truncated,
    pipelineRunId: row.pipeline_run_id,
    jobRunId: row.job_run_id,
    startedAt: row.started_at,
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    exitCode: row.exit_code,
    status: row.status,
    parts: row.parts,
    updatedAt: row.updated_at,
  };
}
