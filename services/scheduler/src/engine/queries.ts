import { badInput } from '@fluxi/common';
import type { JobRunRecord, PipelineRunRecord } from '../store/records.js';
import type { RunStore } from '../store/run-store.js';

export interface PipelineRunView extends PipelineRunRecord {
  jobRuns: JobRunRecord[];
}

export const DEFAULT_RUNS_LIMIT = 20;
export const MAX_RUNS_LIMIT = 100;

/** Reads of runs for the API. */
export class RunQueries {
  constructor(private readonly store: RunStore) {}

  async run(id: string): Promise<PipelineRunView | undefined> {
    const run = await this.store.getRun(id);
    if (run === undefined) return undefined;
    return { ...run, jobRuns: await this.store.jobRunsOf([id]) };
  }

  /** The newest runs of a pipeline first; `limit` between 1 and 100. */
  async runsOfPipeline(pipelineId: string, limit = DEFAULT_RUNS_LIMIT): Promise<PipelineRunView[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RUNS_LIMIT) {
      throw badInput(`limit must be between 1 and ${MAX_RUNS_LIMIT}`, 'limit');
    }
    const runs = await this.store.listRuns(pipelineId, limit);
    const jobRuns = await this.store.jobRunsOf(runs.map((run) => run.id));
    return runs.map((run) => ({ ...run, jobRuns: jobRuns.filter((jobRun) => jobRun.pipelineRunId === run.id) }));
  }

  jobRun(id: string): Promise<JobRunRecord | undefined> {
    return this.store.getJobRun(id);
  }
}
