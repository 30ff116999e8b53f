import type { StageRunState } from './stages.js';
import type { FailureClassName, RunStatus } from './status.js';

/**
 * Run events: what changed in a pipeline run, one event per entity (the run, a stage, a
 * job run, an attempt a retry replaced), each holding the entity's whole new state so that
 * a consumer can render a run from its events alone. Pure: the engine turns these drafts
 * into `RunEvent` messages in the transaction of the change (outbox).
 */

export type RunEventKindName =
  | 'CREATED'
  | 'QUEUED'
  | 'STARTED'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'CANCELLED'
  | 'SKIPPED'
  | 'RETRY_SCHEDULED'
  | 'ATTEMPT_ENDED'
  | 'ADMITTED'
  | 'UPDATED';

/** What a run event needs of a pipeline run. */
export interface RunFacts {
  readonly status: RunStatus;
  readonly number: number;
  readonly reason: string | null;
  readonly trigger: string;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
  /** The group it waits for; null once admitted or without a group. */
  readonly waitingForGroup: string | null;
  /** The pipeline's (or job's) name as frozen in the run: in its CREATED event only. */
  readonly name?: string;
}

/** What a run event needs of a job run (its current attempt included). */
export interface JobRunFacts {
  readonly id: string;
  readonly name: string;
  readonly stageName: string;
  readonly stageIndex: number;
  readonly jobId: string;
  readonly position: number;
  readonly status: RunStatus;
  readonly attempt: number;
  readonly exitCode: number | null;
  readonly failureClass: FailureClassName | null;
  readonly reason: string | null;
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
  readonly notBefore: Date | null;
}

/** An attempt that a retry replaced, as it ended. */
export interface EndedAttempt {
  readonly jobRunId: string;
  readonly name: string;
  readonly attempt: number;
  readonly status: RunStatus;
  readonly exitCode: number | null;
  readonly failureClass: FailureClassName | null;
  readonly reason: string | null;
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
}

export type RunEventDraft =
  | { readonly kind: RunEventKindName; readonly entity: 'run'; readonly run: RunFacts }
  | { readonly kind: RunEventKindName; readonly entity: 'stage'; readonly stage: StageRunState }
  | { readonly kind: RunEventKindName; readonly entity: 'jobRun'; readonly jobRun: JobRunFacts }
  | { readonly kind: RunEventKindName; readonly entity: 'attempt'; readonly attempt: EndedAttempt };

/** The kind of a status change; UPDATED when the status stayed. */
export function kindOfStatus(before: RunStatus | undefined, after: RunStatus): RunEventKindName {
  if (before === after) return 'UPDATED';
  switch (after) {
    case 'PENDING':
      return 'UPDATED';
    case 'QUEUED':
      return 'QUEUED';
    case 'RUNNING':
      return 'STARTED';
    case 'SUCCESS':
      return 'SUCCEEDED';
    case 'FAILED':
      return 'FAILED';
    case 'CANCELLED':
      return 'CANCELLED';
    case 'SKIPPED':
      return 'SKIPPED';
    case 'MANUAL':
      return 'UPDATED';
  }
}

/** The events of a new run: the run, then its stages, then its job runs, all CREATED with their first state. */
export function createdEvents(
  run: RunFacts,
  stages: readonly StageRunState[],
  jobRuns: readonly JobRunFacts[],
): RunEventDraft[] {
  return [
    { kind: 'CREATED', entity: 'run', run },
    ...stages.map((stage): RunEventDraft => ({ kind: 'CREATED', entity: 'stage', stage })),
    ...jobRuns.map((jobRun): RunEventDraft => ({ kind: 'CREATED', entity: 'jobRun', jobRun })),
  ];
}

export interface StepChange {
  /** Attempts a retry replaced in this step. */
  readonly endedAttempts: readonly EndedAttempt[];
  /** The job runs before the step, by id. */
  readonly jobRunsBefore: ReadonlyMap<string, JobRunFacts>;
  /** The job runs the step changed, as they are after it. */
  readonly jobRunsAfter: readonly JobRunFacts[];
  readonly stagesBefore: readonly StageRunState[];
  /** Stages whose status or times changed, as they are after the step. */
  readonly stagesChanged: readonly StageRunState[];
  readonly runBefore: RunFacts;
  /** The run after the step; undefined when it did not change. */
  readonly runAfter: RunFacts | undefined;
  /** The step let a run that waited for its concurrency group in. */
  readonly admitted?: boolean;
}

/**
 * The events of one step, in the order a reader tells the story: replaced attempts, job
 * runs (in run order), stages, then the run (so a run's end comes after what ended it).
 */
export function stepEvents(change: StepChange): RunEventDraft[] {
  const events: RunEventDraft[] = change.endedAttempts.map((attempt) => ({
    kind: 'ATTEMPT_ENDED',
    entity: 'attempt',
    attempt,
  }));
  const jobRuns = [...change.jobRunsAfter].sort((a, b) => a.position - b.position);
  for (const jobRun of jobRuns) {
    const before = change.jobRunsBefore.get(jobRun.id);
    const retried = before !== undefined && jobRun.attempt > before.attempt;
    const kind = retried ? 'RETRY_SCHEDULED' : kindOfStatus(before?.status, jobRun.status);
    events.push({ kind, entity: 'jobRun', jobRun });
  }
  for (const stage of change.stagesChanged) {
    const before = change.stagesBefore.find((candidate) => candidate.index === stage.index);
    events.push({ kind: kindOfStatus(before?.status, stage.status), entity: 'stage', stage });
  }
  if (change.admitted === true) {
    events.push({ kind: 'ADMITTED', entity: 'run', run: change.runAfter ?? change.runBefore });
  } else if (change.runAfter !== undefined) {
    events.push({
      kind: kindOfStatus(change.runBefore.status, change.runAfter.status),
      entity: 'run',
      run: change.runAfter,
    });
  }
  return events;
}
