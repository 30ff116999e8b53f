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
import { jobVariables, runVariables } from '../../domain/ci-variables.js';
import { jobRunVariables } from '../../domain/pipeline-variables.js';
import { planRun, type PlannedJobRun } from '../../domain/plan.js';
import { decideRules } from '../../domain/rules.js';
import { createdEvents } from '../../domain/run-events.js';
import { stageRuns } from '../../domain/stages.js';
import { initialJobRuns, startRun, type ReusedJobRun } from '../../domain/start.js';
import type { RunTrigger } from '../../domain/status.js';
import { isUniqueViolation } from '@fluxi/db';
import type {
  JobRunRecord,
  NewPipelineRun,
  PipelineRunRecord,
  RunProvenance,
  StoredJson,
} from '../../store/records.js';
import type { RunTx } from '../../store/run-tx.js';
import { armInStep } from '../arm-step.js';
import { dispatchItems } from '../persist.js';
import type { EngineResources } from '../resources.js';
import { jobRunFacts, recordEvents, runFacts } from '../run-events.js';
import type { DispatchSystem } from './dispatch.js';
import { killAttempts, stopInTx, type Stopped } from './stop.js';

/** Stage name of a run of a single job. */
export const SINGLE_JOB_STAGE = 'job';

export interface TriggerRequest {
  readonly trigger: RunTrigger;
  /** User id of the principal who asked, when a person did. */
  readonly triggeredBy: string | null;
  readonly triggeredByName?: string | null;
  readonly branch?: string | null;
  readonly commitSha?: string | null;
  /** Held unique by the database: a second trigger with the key gets the first run. */
  readonly idempotencyKey?: string | null;
  /** Schedule and planned time, webhook delivery, git push, pipeline variables (checked already). */
  readonly provenance?: RunProvenance | null;
}

/** A new run and its job runs as its trigger committed them. */
export interface CreatedRun {
  readonly run: PipelineRunRecord;
  readonly jobRuns: readonly JobRunRecord[];
}

/** What a trigger started, or found started already under its idempotency key. */
export interface TriggeredRun {
  id: string;
  number: number;
  /** False when the idempotency key named an existing run. */
  created: boolean;
  /** The new run as committed (an answer needs not read it back); absent for an existing run. */
  records?: CreatedRun;
}

/** The unique index that holds idempotency keys (migration 006). */
const IDEMPOTENCY_INDEX = 'pipeline_runs_idempotency_key';

/** A rerun: the run it reruns, and the successes it keeps (failed-only). */
export interface RerunOf {
  readonly runId: string;
  readonly failedOnly: boolean;
  /** Job run name → the earlier job run whose success is kept. */
  readonly reused: ReadonlyMap<string, ReusedJobRun & { readonly jobRunId: string }>;
}

export type RunScope = { pipelineId: string } | { jobId: string };

/**
 * Trigger: freezes a pipeline (or a single job) from the catalog into a new numbered
 * run, creates its job runs, queues the first ones (or waits for its concurrency
 * group), and dispatches them after commit.
 */
export class TriggerSystem {
  constructor(
    private readonly resources: EngineResources,
    private readonly dispatch: DispatchSystem,
  ) {}

  /**
   * The one trigger of every run (manual, API, schedule, webhook): freezes the target and
   * creates the run, unless its idempotency key names a run already, which is returned.
   * The database's unique index decides between two triggers with one key at once.
   */
  async trigger(scope: RunScope, request: TriggerRequest): Promise<TriggeredRun> {
    const key = request.idempotencyKey ?? null;
    const earlier = key === null ? undefined : await this.resources.store.runByIdempotencyKey(key);
    if (earlier !== undefined) return { ...earlier, created: false };
    const snapshot =
      'pipelineId' in scope
        ? await this.resources.catalog.pipelineSnapshot(scope.pipelineId)
        : await this.jobSnapshot(scope.jobId);
    try {
      return { ...(await this.createRun(scope, snapshot, request)), created: true };
    } catch (error) {
      if (key === null || !isUniqueViolation(error, IDEMPOTENCY_INDEX)) throw error;
      // Another trigger with the key committed first: its run is the answer.
      const first = await this.resources.store.runByIdempotencyKey(key);
      if (first === undefined) throw error;
      return { ...first, created: false };
    }
  }

  private async jobSnapshot(jobId: string): Promise<PipelineSnapshot> {
    const job: JobSpec = await this.resources.catalog.job(jobId);
    return create(PipelineSnapshotSchema, {
      version: ContractVersion.CONTRACT_VERSION_1,
      pipelineId: '',
      name: job.name,
      stages: [{ name: SINGLE_JOB_STAGE, entries: [{ job, needs: [] }] }],
    });
  }

  /** Creates a run from a frozen snapshot (a trigger, or a rerun of an earlier run). */
  async createRun(
    scope: RunScope,
    snapshot: PipelineSnapshot,
    request: TriggerRequest,
    rerun?: RerunOf,
  ): Promise<{ id: string; number: number; records: CreatedRun }> {
    const runId = newId(IdPrefix.pipelineRun);
    const now = this.resources.now();
    const group = snapshot.concurrency?.group ?? '';
    const timeoutSec = snapshot.timeoutSec > 0 ? snapshot.timeoutSec : null;
    // 0: the log store's default.
    const logRetentionDays =
      snapshot.retention !== undefined && snapshot.retention.logDays > 0 ? snapshot.retention.logDays : null;
    const origin = { idempotencyKey: request.idempotencyKey ?? null, provenance: request.provenance ?? null };
    const ci = runVariables({
      runId,
      trigger: request.trigger,
      branch: request.branch ?? null,
      commitSha: request.commitSha ?? null,
      git: request.provenance?.git,
      defaultBranch: this.resources.ciDefaultBranch,
    });
    const pipelineVariables = request.provenance?.variables;
    const variablesOf = (plan: PlannedJobRun, env: Record<string, string> | undefined) =>
      jobRunVariables({
        run: ci,
        jobRun: jobVariables(plan),
        jobEnv: env,
        pipeline: pipelineVariables,
        matrix: plan.matrix,
      });
    // GitLab rules are decided now, over the variables each job run will have.
    const planned = decideRules(planRun(snapshot), (plan) =>
      variablesOf(plan, snapshot.stages[plan.stageIndex]?.entries[plan.entryIndex]?.job?.env),
    );
    const ids = planned.map(() => newId(IdPrefix.jobRun));
    const trace = this.resources.tracing?.startRun(runId);
    const created = await this.resources.store.transaction(async (tx) => {
      const { admitted, stopped } =
        group === '' ? { admitted: true, stopped: [] } : await this.enterGroup(tx, group, snapshot, now);
      const step = startRun(runId, initialJobRuns(planned, ids, rerun?.reused), now, admitted);
      const jobRuns = planned.map((plan, index) =>
        jobRunRecord(plan, index, runId, snapshot, step.run.jobRuns[index], rerun, variablesOf),
      );
      const number = await tx.nextNumber(scope);
      const run: NewPipelineRun = {
        id: runId,
        pipelineId: 'pipelineId' in scope ? scope.pipelineId : null,
        jobId: 'jobId' in scope ? scope.jobId : null,
        number,
        status: step.run.status,
        trigger: request.trigger,
        triggeredBy: request.triggeredBy,
        triggeredByName: request.triggeredByName ?? null,
        branch: request.branch ?? null,
        commitSha: request.commitSha ?? null,
        ...origin,
        rerunOf: rerun?.runId ?? null,
        failedOnly: rerun?.failedOnly ?? false,
        reason: null,
        timeoutSec,
        deadlineAt: admitted && timeoutSec !== null ? new Date(now.getTime() + timeoutSec * 1000) : null,
        concurrencyGroup: group === '' ? null : group,
        concurrencyState: group === '' ? null : admitted ? 'admitted' : 'waiting',
        snapshot: toJson(PipelineSnapshotSchema, snapshot) as StoredJson,
        createdAt: now,
        startedAt: step.run.startedAt,
        endedAt: step.run.endedAt,
        trace,
      };
      await tx.insertRun(run);
      await tx.insertJobRuns(jobRuns);
      for (const jobRun of jobRuns) {
        if (jobRun.reusedFrom !== null) await tx.copyOutput(jobRun.reusedFrom, jobRun.id);
      }
      const stages = stageRuns(jobRuns);
      await tx.saveStageRuns(runId, stages);
      await recordEvents(
        tx,
        run,
        createdEvents({ ...runFacts(run), name: snapshot.name }, stages, jobRuns.map(jobRunFacts)),
        now,
        0,
      );
      const dispatchRun = { id: runId, pipelineId: run.pipelineId, logRetentionDays, provenance: run.provenance };
      const items = dispatchItems(dispatchRun, jobRuns, step.dispatch, now);
      const marked = await this.dispatch.markInStep(tx, items);
      // Last, as in every step: what the first job runs' success alone would queue (arm-step.ts).
      const armed = armInStep(this.resources, tx, { run: { ...dispatchRun, ...step.run }, jobRuns }, now);
      const record: PipelineRunRecord = {
        ...run,
        idempotencyKey: origin.idempotencyKey,
        provenance: origin.provenance,
        logRetentionDays,
      };
      return { number, items, stopped, admitted, marked, armed, records: { run: record, jobRuns } };
    });
    this.resources.logger.info(
      { pipelineRunId: runId, ...scope, number: created.number, jobRuns: planned.length, waiting: !created.admitted },
      'run created',
    );
    await killAttempts(this.resources, created.stopped);
    await Promise.all([this.dispatch.enqueue(created.items, created.marked), this.dispatch.arm(created.armed)]);
    return { id: runId, number: created.number, records: created.records };
  }

  /**
   * Takes the group's lock for the transaction. With cancelOlder, every open run of the
   * group is cancelled and the new run starts; otherwise it waits behind them in order.
   */
  private async enterGroup(
    tx: RunTx,
    group: string,
    snapshot: PipelineSnapshot,
    now: Date,
  ): Promise<{ admitted: boolean; stopped: Stopped[] }> {
    await tx.lockGroup(group);
    const open = await tx.openRunsOfGroup(group);
    if (open.length === 0) return { admitted: true, stopped: [] };
    if (snapshot.concurrency?.cancelOlder !== true) return { admitted: false, stopped: [] };
    const stopped: Stopped[] = [];
    for (const older of open) {
      const stored = await tx.lockRun(older.id);
      if (stored === undefined) continue;
      const reason = `cancelled: a newer run of concurrency group ${group} started`;
      const stop = await stopInTx(
        tx,
        stored,
        { status: 'CANCELLED', failureClass: 'CANCELLED', reason, runStatus: 'CANCELLED' },
        now,
        true,
      );
      if (stop !== undefined) stopped.push(stop);
    }
    return { admitted: true, stopped };
  }
}

function jobRunRecord(
  plan: PlannedJobRun,
  index: number,
  runId: string,
  snapshot: PipelineSnapshot,
  state: ReturnType<typeof initialJobRuns>[number] | undefined,
  rerun: RerunOf | undefined,
  variablesOf: (plan: PlannedJobRun, env: Record<string, string>) => Record<string, string>,
): JobRunRecord {
  const job = snapshot.stages[plan.stageIndex]?.entries[plan.entryIndex]?.job;
  if (state === undefined || job === undefined) throw new Error(`planned job run ${index} has no state or job`);
  return {
    id: state.id,
    pipelineRunId: runId,
    position: plan.position,
    stageIndex: plan.stageIndex,
    stageName: plan.stageName,
    name: plan.name,
    entry: plan.entry,
    matrix: plan.matrix,
    jobId: plan.jobId,
    // The job's spec frozen with every variable the job run has (jobRunVariables).
    spec: toJson(JobSpecSchema, create(JobSpecSchema, { ...job, env: variablesOf(plan, job.env) })) as StoredJson,
    needs: [...plan.needs],
    when: plan.when,
    allowFailure: plan.allowFailure,
    allowFailureExitCodes: [...plan.allowFailureExitCodes],
    startAtOnce: plan.startAtOnce,
    artifactsFrom: plan.artifactsFrom === null ? null : [...plan.artifactsFrom],
    maxAttempts: plan.maxAttempts,
    retry: plan.retry,
    status: state.status,
    attempt: state.attempt,
    notBefore: null,
    exitCode: state.exitCode,
    failureClass: null,
    reason: state.reason,
    reusedFrom: rerun?.reused.get(plan.name)?.jobRunId ?? null,
    startedAt: state.startedAt,
    endedAt: state.endedAt,
  };
}
