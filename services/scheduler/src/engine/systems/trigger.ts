import { IdPrefix, newId } from '@fluxi/common';
import {
  ContractVersion,
  create,
  JobSpecSchema,
  PipelineSnapshotSchema,
  toJson,
  type JobSpec,
  type PipelineSnapshot,
} from '@fluxi/contracts';
import { planRun } from '../../domain/plan.js';
import { startRun } from '../../domain/start.js';
import type { RunTrigger } from '../../domain/status.js';
import type { JobRunRecord, StoredJson } from '../../store/records.js';
import type { EngineResources } from '../resources.js';
import type { DispatchItem, DispatchSystem } from './dispatch.js';

/** Stage name of a run of a single job. */
export const SINGLE_JOB_STAGE = 'job';

export interface TriggerRequest {
  readonly trigger: RunTrigger;
  /** User id of the principal who asked, when a person did. */
  readonly triggeredBy: string | null;
}

/**
 * Trigger: freezes a pipeline (or a single job) from the catalog into a new numbered
 * run, creates its job runs, queues the first ones, and dispatches them after commit.
 */
export class TriggerSystem {
  constructor(
    private readonly resources: EngineResources,
    private readonly dispatch: DispatchSystem,
  ) {}

  /** Returns the id of the new run. */
  async triggerPipeline(pipelineId: string, request: TriggerRequest): Promise<string> {
    const snapshot = await this.resources.catalog.pipelineSnapshot(pipelineId);
    return this.createRun({ pipelineId }, snapshot, request);
  }

  /** A run with one stage holding one job; numbered per job. Returns the id of the new run. */
  async triggerJob(jobId: string, request: TriggerRequest): Promise<string> {
    const job: JobSpec = await this.resources.catalog.job(jobId);
    const snapshot = create(PipelineSnapshotSchema, {
      version: ContractVersion.CONTRACT_VERSION_1,
      pipelineId: '',
      name: job.name,
      stages: [{ name: SINGLE_JOB_STAGE, entries: [{ job, needs: [] }] }],
    });
    return this.createRun({ jobId }, snapshot, request);
  }

  private async createRun(
    scope: { pipelineId: string } | { jobId: string },
    snapshot: PipelineSnapshot,
    request: TriggerRequest,
  ): Promise<string> {
    const planned = planRun(snapshot);
    const runId = newId(IdPrefix.pipelineRun);
    const ids = planned.map(() => newId(IdPrefix.jobRun));
    const now = this.resources.now();
    const step = startRun(runId, planned, ids, now);
    const jobRuns: JobRunRecord[] = planned.map((plan, index) => {
      const state = step.run.jobRuns[index];
      const job = snapshot.stages[plan.stageIndex]?.entries[plan.entryIndex]?.job;
      if (state === undefined || job === undefined) throw new Error(`planned job run ${index} has no state or job`);
      return {
        id: state.id,
        pipelineRunId: runId,
        position: plan.position,
        stageIndex: plan.stageIndex,
        stageName: plan.stageName,
        name: plan.name,
        jobId: plan.jobId,
        spec: toJson(JobSpecSchema, job) as StoredJson,
        needs: [...plan.needs],
        allowFailure: plan.allowFailure,
        maxAttempts: plan.maxAttempts,
        status: state.status,
        attempt: state.attempt,
        exitCode: null,
        failureClass: null,
        reason: null,
        startedAt: null,
        endedAt: null,
      };
    });
    const number = await this.resources.store.transaction(async (tx) => {
      const next = await tx.nextNumber(scope);
      await tx.insertRun({
        id: runId,
        pipelineId: 'pipelineId' in scope ? scope.pipelineId : null,
        jobId: 'jobId' in scope ? scope.jobId : null,
        number: next,
        status: step.run.status,
        trigger: request.trigger,
        triggeredBy: request.triggeredBy,
        snapshot: toJson(PipelineSnapshotSchema, snapshot) as StoredJson,
        createdAt: now,
        startedAt: step.run.startedAt,
        endedAt: step.run.endedAt,
      });
      await tx.insertJobRuns(jobRuns);
      return next;
    });
    this.resources.logger.info({ pipelineRunId: runId, ...scope, number, jobRuns: jobRuns.length }, 'run created');
    const queued = new Set(step.dispatch.map((jobRun) => jobRun.id));
    const items: DispatchItem[] = jobRuns
      .filter((jobRun) => queued.has(jobRun.id))
      .map((jobRun) => ({ jobRunId: jobRun.id, pipelineRunId: runId, attempt: jobRun.attempt, spec: jobRun.spec }));
    await this.dispatch.enqueue(items);
    return runId;
  }
}
