import DataLoader from 'dataloader';
import { badInput } from '@fluxi/common';
import type { JobRunRecord, PipelineRunRecord } from '../store/records.js';
import type { ArtifactRecord, AttemptRecord, RunStore, StageRunRecord } from '../store/run-store.js';

export const DEFAULT_RUNS_LIMIT = 20;
export const MAX_RUNS_LIMIT = 100;

/**
 * Batched reads of what hangs off runs, for one API request: each loader collects the
 * keys asked for in one tick and reads them in one query, so a client pays only for
 * the fields it selects (a status poll reads one row).
 */
export interface RunLoaders {
  /** Run id → its job runs, in stage and entry order. */
  readonly jobRuns: DataLoader<string, JobRunRecord[]>;
  /** Run id → its stage records, in order. */
  readonly stages: DataLoader<string, StageRunRecord[]>;
  /** Job run → its attempts (recorded ones, then its latest from the job run itself). */
  readonly attempts: DataLoader<JobRunRecord, AttemptRecord[], string>;
  /** Job run id whose files were saved → its artifacts (latest attempt that saved any). */
  readonly artifacts: DataLoader<string, ArtifactRecord[]>;
}

/** Reads of runs for the API. */
export class RunQueries {
  constructor(private readonly store: RunStore) {}

  run(id: string): Promise<PipelineRunRecord | undefined> {
    return this.store.getRun(id);
  }

  /** The newest runs of a pipeline first; `limit` between 1 and 100. */
  runsOfPipeline(pipelineId: string, limit = DEFAULT_RUNS_LIMIT): Promise<PipelineRunRecord[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RUNS_LIMIT) {
      throw badInput(`limit must be between 1 and ${MAX_RUNS_LIMIT}`, 'limit');
    }
    return this.store.listRuns(pipelineId, limit);
  }

  jobRun(id: string): Promise<JobRunRecord | undefined> {
    return this.store.getJobRun(id);
  }

  /** Fresh loaders: one set per request, so nothing is cached across requests. */
  loaders(): RunLoaders {
    const { store } = this;
    return {
      jobRuns: new DataLoader(async (runIds) => groupBy(runIds, await store.jobRunsOf(runIds), (j) => j.pipelineRunId)),
      stages: new DataLoader(async (runIds) =>
        groupBy(runIds, await store.stageRunsOf(runIds), (s) => s.pipelineRunId),
      ),
      attempts: new DataLoader(
        async (jobRuns) => {
          const recorded = await store.attemptsOf(jobRuns.map((jobRun) => jobRun.id));
          return jobRuns.map((jobRun) =>
            withCurrent(
              jobRun,
              recorded.filter((attempt) => attempt.jobRunId === jobRun.id),
            ),
          );
        },
        { cacheKeyFn: (jobRun) => jobRun.id },
      ),
      artifacts: new DataLoader(async (ids) => groupBy(ids, await store.artifactsOf(ids), (a) => a.jobRunId)),
    };
  }
}

/** The rows of each key, in the order the keys were asked. */
function groupBy<T>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string): T[][] {
  return keys.map((key) => rows.filter((row) => keyOf(row) === key));
}

/**
 * A job run's attempts: the records of attempts it no longer shows (retried, stopped),
 * then its latest attempt from the job run itself when it was queued in this run.
 */
function withCurrent(jobRun: JobRunRecord, recorded: AttemptRecord[]): AttemptRecord[] {
  if (recorded.some((attempt) => attempt.attempt === jobRun.attempt)) return recorded;
  if (jobRun.reusedFrom !== null) return recorded;
  if (!['QUEUED', 'RUNNING', 'SUCCESS', 'FAILED'].includes(jobRun.status)) return recorded;
  return [
    ...recorded,
    {
      jobRunId: jobRun.id,
      attempt: jobRun.attempt,
      status: jobRun.status,
      notBefore: jobRun.notBefore,
      startedAt: jobRun.startedAt,
      endedAt: jobRun.endedAt,
      exitCode: jobRun.exitCode,
      failureClass: jobRun.failureClass,
      reason: jobRun.reason,
    },
  ];
}
