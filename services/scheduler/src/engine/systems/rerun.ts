import { FluxiError, notFound } from '@fluxi/common';
import { fromJson, PipelineSnapshotSchema } from '@fluxi/contracts';
import { isTerminal } from '../../domain/status.js';
import type { EngineResources } from '../resources.js';
import type { RerunOf, TriggerRequest, TriggerSystem } from './trigger.js';

/**
 * Rerun: a new run of the same frozen definition, linked to the old one. A failed-only
 * rerun keeps the old run's successful job runs (their output and artifacts stay
 * theirs) and runs the others again.
 */
export class RerunSystem {
  constructor(
    private readonly resources: EngineResources,
    private readonly trigger: TriggerSystem,
  ) {}

  async rerun(runId: string, failedOnly: boolean, request: Omit<TriggerRequest, 'trigger'>): Promise<string> {
    const { store } = this.resources;
    const run = await store.getRun(runId);
    const snapshotJson = await store.getSnapshot(runId);
    if (run === undefined || snapshotJson === undefined) throw notFound('run', runId);
    if (!isTerminal(run.status)) {
      throw new FluxiError(
        'CONFLICT',
        `run ${runId} is still ${run.status}: cancel it or wait for its end before a rerun`,
        {
          field: 'id',
        },
      );
    }
    const jobRuns = await store.jobRunsOf([runId]);
    const kept = failedOnly ? jobRuns.filter((jobRun) => jobRun.status === 'SUCCESS') : [];
    if (failedOnly && kept.length === jobRuns.length) {
      throw new FluxiError('CONFLICT', `run ${runId} has no failed job to run again`, { field: 'failedOnly' });
    }
    const rerun: RerunOf = {
      runId,
      failedOnly,
      reused: new Map(
        kept.map((jobRun) => [
          jobRun.name,
          {
            jobRunId: jobRun.reusedFrom ?? jobRun.id,
            startedAt: jobRun.startedAt,
            endedAt: jobRun.endedAt,
            exitCode: jobRun.exitCode,
          },
        ]),
      ),
    };
    const snapshot = fromJson(PipelineSnapshotSchema, snapshotJson, { ignoreUnknownFields: true });
    const scope = run.pipelineId !== null ? { pipelineId: run.pipelineId } : { jobId: run.jobId ?? '' };
    // A rerun builds the same commit: its provenance (git push, schedule) is kept; a new key is the caller's.
    const created = await this.trigger.createRun(
      scope,
      snapshot,
      { ...request, trigger: 'rerun', branch: run.branch, commitSha: run.commitSha, provenance: run.provenance },
      rerun,
    );
    return created.id;
  }
}
