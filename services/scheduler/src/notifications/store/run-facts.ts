import type { Database } from '@fluxi/db';
import type { RunFacts } from '../domain/payload.js';

/** What a notification says of a run, read from the scheduler's tables (undefined once the run is gone). */
export async function runFacts(db: Database, pipelineRunId: string): Promise<RunFacts | undefined> {
  const rows = await db.query<RunFacts>(
    `SELECT r.id AS "pipelineRunId", r.number, r.pipeline_id AS "pipelineId", r.job_id AS "jobId",
       r.snapshot->>'name' AS name, r.status, r.trigger, r.triggered_by_name AS "triggeredBy", r.branch,
       r.commit_sha AS commit,
       COALESCE((SELECT array_agg(j.name ORDER BY j.position) FROM job_runs j
                 WHERE j.pipeline_run_id = r.id AND j.status = 'FAILED'), ARRAY[]::text[]) AS "failedJobRuns"
     FROM pipeline_runs r WHERE r.id = $1`,
    [pipelineRunId],
  );
  return rows[0];
}
