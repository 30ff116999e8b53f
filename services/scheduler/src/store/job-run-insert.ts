import { JOB_RUN_COLUMNS, type JobRunRecord } from './records.js';

/** Rows per job-run INSERT (27 parameters each; PostgreSQL takes at most 65,535). */
const JOB_RUN_INSERT_ROWS = 500;

/** Columns whose values are sent as JSON text. */
const JSON_COLUMNS = new Set(['matrix', 'spec', 'needs', 'retry', 'allow_failure_exit_codes', 'artifacts_from']);

/** The cast of each JOB_RUN_COLUMNS value in an INSERT, in column order. */
const JOB_RUN_INSERT_CASTS = JOB_RUN_COLUMNS.split(',').map((column) =>
  JSON_COLUMNS.has(column.trim()) ? '::text::jsonb' : '',
);

/** A job run's values in JOB_RUN_COLUMNS order. */
function insertParams(j: JobRunRecord): unknown[] {
  return [
    j.id,
    j.pipelineRunId,
    j.position,
    j.stageIndex,
    j.stageName,
    j.name,
    j.entry,
    JSON.stringify(j.matrix),
    j.jobId,
    JSON.stringify(j.spec),
    JSON.stringify(j.needs),
    j.when,
    j.allowFailure,
    j.maxAttempts,
    JSON.stringify(j.retry),
    j.status,
    j.attempt,
    j.notBefore,
    j.exitCode,
    j.failureClass,
    j.reason,
    j.reusedFrom,
    j.startedAt,
    j.endedAt,
    JSON.stringify(j.allowFailureExitCodes),
    j.startAtOnce,
    j.artifactsFrom === null ? null : JSON.stringify(j.artifactsFrom),
  ];
}

/** The INSERT statements of job runs, up to JOB_RUN_INSERT_ROWS rows each. */
export function jobRunInserts(jobRuns: readonly JobRunRecord[]): { sql: string; params: unknown[] }[] {
  const inserts: { sql: string; params: unknown[] }[] = [];
  for (let from = 0; from < jobRuns.length; from += JOB_RUN_INSERT_ROWS) {
    const rows = jobRuns.slice(from, from + JOB_RUN_INSERT_ROWS);
    const values = rows.map((_, row) => {
      const first = row * JOB_RUN_INSERT_CASTS.length;
      return `(${JOB_RUN_INSERT_CASTS.map((cast, column) => `$${first + column + 1}${cast}`).join(', ')})`;
    });
    inserts.push({
      sql: `INSERT INTO job_runs (${JOB_RUN_COLUMNS}) VALUES ${values.join(', ')}`,
      params: rows.flatMap(insertParams),
    });
  }
  return inserts;
}
