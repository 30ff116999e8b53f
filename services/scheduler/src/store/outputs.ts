import type { SqlExecutor } from '@fluxi/db';

/** The output a job run kept (its latest attempt's standard output), with what identifies it in its run. */
export interface JobRunOutput {
  name: string;
  entry: string;
  status: string;
  /** Null until an attempt of it finished. */
  output: string | null;
  /** Size of the whole output; more than `output` holds when it was cut. */
  outputBytes: number;
}

/** The outputs of a run's job runs, in position order: for `$$(name)` and for the pipeline's context. */
export async function selectOutputs(sql: SqlExecutor, runId: string): Promise<JobRunOutput[]> {
  const rows = await sql.query<Omit<JobRunOutput, 'outputBytes'> & { output_bytes: string | number | null }>(
    'SELECT name, entry, status, output, output_bytes FROM job_runs WHERE pipeline_run_id = $1 ORDER BY position',
    [runId],
  );
  return rows.map(({ output_bytes, ...row }) => ({ ...row, outputBytes: Number(output_bytes ?? 0) }));
}
