import type { ChunkLines } from '../domain/chunk-lines.js';
import type { LogRow } from '../domain/log-row.js';

/**
 * What a job run's lines are searched by besides their text (a chunk's labels): the same for
 * every line and attempt of the run, so the store keeps them once per job run
 * (`job_run_labels`) rather than on every line (parsing them again for each line halved the
 * insert rate).
 */
export type RunLabels = ChunkLines['labels'];

/** The columns of `job_run_labels` an insert writes (its `seen_at` is given by the store). */
export const LABEL_COLUMNS = ['job_run_id', 'pipeline_run_id', 'pipeline_id', 'job_id', 'job_name', 'seen_at'] as const;

/** The labels of each job run among chunks and rows, once per job run (the last seen wins). */
export function runLabelsOf(chunks: readonly ChunkLines[], rows: readonly LogRow[]): RunLabels[] {
  const runs = new Map<string, RunLabels>();
  const add = ({ jobRunId, pipelineRunId, pipelineId, jobId, jobName }: RunLabels) => {
    runs.set(jobRunId, { jobRunId, pipelineRunId, pipelineId, jobId, jobName });
  };
  for (const chunk of chunks) if (chunk.seq.length > 0) add(chunk.labels);
  for (const row of rows) add(row);
  return [...runs.values()];
}

/** Whether two labels say the same. */
export function sameRunLabels(a: RunLabels, b: RunLabels): boolean {
  return (
    a.jobRunId === b.jobRunId &&
    a.pipelineRunId === b.pipelineRunId &&
    a.pipelineId === b.pipelineId &&
    a.jobId === b.jobId &&
    a.jobName === b.jobName
  );
}

/**
 * The labels a store has written lately, so a batch of a job run whose labels are stored
 * writes only its lines. Bounded: past `capacity` the oldest are forgotten (and written
 * again when their run logs more, which is harmless: the table folds the copies).
 */
export class WrittenLabels {
  private readonly written = new Map<string, RunLabels>();

  constructor(private readonly capacity = 10_000) {}

  /** Those of `runs` not written yet (or written with other labels). */
  missing(runs: readonly RunLabels[]): RunLabels[] {
    return runs.filter((run) => {
      const known = this.written.get(run.jobRunId);
      return known === undefined || !sameRunLabels(known, run);
    });
  }

  /** Notes labels once the store has them. */
  add(runs: readonly RunLabels[]): void {
    for (const run of runs) {
      this.written.delete(run.jobRunId);
      this.written.set(run.jobRunId, run);
      if (this.written.size > this.capacity) {
        const oldest = this.written.keys().next();
        if (oldest.done !== true) this.written.delete(oldest.value);
      }
    }
  }

  /** Forgets everything (after the store deleted labels). */
  clear(): void {
    this.written.clear();
  }
}
