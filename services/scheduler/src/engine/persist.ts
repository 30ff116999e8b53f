import type { JobRunState, Step } from '../domain/model.js';
import { artifactSourcesOf, savesArtifacts } from '../domain/readiness.js';
import { stepEvents, type EndedAttempt } from '../domain/run-events.js';
import { stageRuns, type StageRunState } from '../domain/stages.js';
import { isTerminal } from '../domain/status.js';
import type { JobRunRecord, PipelineRunRecord } from '../store/records.js';
import type { LockedRun, RunTx } from '../store/run-tx.js';
import { jobRunFacts, recordEvents, runFacts } from './run-events.js';
import type { DispatchItem } from './systems/dispatch.js';
import { afterStep, toProgress } from './state.js';
import { isArmed } from '../domain/arming.js';

export interface PersistOptions {
  /** Standard output of attempts that just ran, by job run id. */
  readonly outputs?: ReadonlyMap<string, { text: string; bytes: number }>;
  /**
   * Write a record for attempts this step ended (cancel, run timeout). A job run holds
   * its latest attempt itself; records are only needed for attempts it no longer shows:
   * retried ones (written by the advance system, which has the event) and stopped ones.
   */
  readonly recordEndedAttempts?: boolean;
  /** Attempts a retry replaced in this step (advance): their records are written here. */
  readonly replacedAttempts?: readonly EndedAttempt[];
  /** The step lets in a run that waited for its concurrency group (already marked admitted). */
  readonly admitted?: boolean;
}

/**
 * Writes a step of a locked run inside its transaction: changed job runs and their
 * attempt records, the stage records, the run, and the run events telling it (outbox).
 * Returns what to enqueue after commit, whether the run just ended, and the locked run
 * as it now is.
 */
export async function persistStep(
  tx: RunTx,
  stored: LockedRun,
  step: Step,
  now: Date,
  options: PersistOptions = {},
): Promise<{ items: DispatchItem[]; ended: boolean; after: LockedRun }> {
  const before = new Map(stored.jobRuns.map((jobRun) => [jobRun.id, jobRun]));
  const after = afterStep(stored, step.run);
  const stagesBefore = stageRuns(stored.jobRuns);
  const stagesAfter = stageRuns(after.jobRuns);
  const changedStages = stagesAfter.filter((stage, index) => !sameStage(stage, stagesBefore[index]));
  // First: the events wait in the outbox and the first job-run update below writes them along.
  await recordStepEvents(tx, { stored, after, step, stagesBefore, changedStages }, options, now);
  for (const replaced of options.replacedAttempts ?? []) {
    await tx.endAttempt(replaced.jobRunId, replaced.attempt, {
      ...replaced,
      notBefore: before.get(replaced.jobRunId)?.notBefore ?? null,
    });
  }
  for (const jobRun of step.changed) {
    await tx.updateJobRun(toProgress(jobRun), options.outputs?.get(jobRun.id));
    const previous = before.get(jobRun.id);
    if (
      options.recordEndedAttempts === true &&
      previous !== undefined &&
      previous.attempt === jobRun.attempt &&
      (previous.status === 'QUEUED' || previous.status === 'RUNNING') &&
      isTerminal(jobRun.status)
    ) {
      await tx.endAttempt(jobRun.id, jobRun.attempt, jobRun);
    }
  }
  if (changedStages.length > 0) await tx.saveStageRuns(stored.run.id, changedStages);
  if (step.runChanged) {
    const { id, status, reason, startedAt, endedAt } = step.run;
    await tx.updateRun({ id, status, reason, startedAt, endedAt });
  }
  const queued = dispatchItems(stored.run, after.jobRuns, step.dispatch, now);
  const armed = armedAfterStep(stored, after.jobRuns, queued, now);
  const armedIds = new Set(armed.map((item) => item.jobRunId));
  return {
    items: [...queued.filter((item) => !armedIds.has(item.jobRunId)), ...armed],
    ended: step.runChanged && isTerminal(step.run.status) && !isTerminal(stored.run.status),
    after,
  };
}

/** The run events of a step, stored in its transaction. */
async function recordStepEvents(
  tx: RunTx,
  change: {
    stored: LockedRun;
    after: LockedRun;
    step: Step;
    stagesBefore: readonly StageRunState[];
    changedStages: readonly StageRunState[];
  },
  options: PersistOptions,
  now: Date,
): Promise<void> {
  const { stored, after, step } = change;
  const changedIds = new Set(step.changed.map((jobRun) => jobRun.id));
  const events = stepEvents({
    endedAttempts: options.replacedAttempts ?? [],
    jobRunsBefore: new Map(stored.jobRuns.map((jobRun) => [jobRun.id, jobRunFacts(jobRun)])),
    jobRunsAfter: after.jobRuns.filter((jobRun) => changedIds.has(jobRun.id)).map(jobRunFacts),
    stagesBefore: change.stagesBefore,
    stagesChanged: change.changedStages,
    runBefore: runFacts(stored.run),
    runAfter: step.runChanged ? runFacts(after.run) : undefined,
    ...(options.admitted === true ? { admitted: true } : {}),
  });
  await recordEvents(tx, stored.run, events, now, stored.eventSeq);
}

function sameStage(a: StageRunState, b: StageRunState | undefined): boolean {
  return (
    b !== undefined &&
    a.status === b.status &&
    a.startedAt?.getTime() === b.startedAt?.getTime() &&
    a.endedAt?.getTime() === b.endedAt?.getTime()
  );
}

/**
 * The dispatch items of job runs that were armed before a step and that the step released or
 * ended: `released` ones are claimed and enqueued by whoever claims first, `dropped` ones (skipped,
 * cancelled, timed out without running) are claimed so no executor enqueues them, and stopped if
 * one already did.
 */
export function armedAfterStep(
  stored: LockedRun,
  after: readonly JobRunRecord[],
  released: readonly DispatchItem[],
  now: Date,
): DispatchItem[] {
  const armedBefore = new Set(stored.jobRuns.filter(isArmed).map((jobRun) => jobRun.id));
  if (armedBefore.size === 0) return [];
  const queued = released.filter((item) => armedBefore.has(item.jobRunId));
  const ended = after.filter((jobRun) => armedBefore.has(jobRun.id) && isTerminal(jobRun.status));
  return [
    ...queued.map((item) => ({ ...item, armed: 'released' as const })),
    ...dispatchItems(stored.run, after, ended, now).map((item) => ({ ...item, armed: 'dropped' as const })),
  ];
}

/** What dispatch needs of a run besides its job runs. */
export type DispatchRun = Pick<PipelineRunRecord, 'id' | 'pipelineId' | 'logRetentionDays'> & {
  /** Where the run came from: its git push gives jobs with checkout their commit. */
  readonly provenance?: { git?: { repository: string; commit: string; ref: string } } | null;
};

/** What to enqueue for job runs that became QUEUED: delay from their backoff, artifacts of what they wait for. */
export function dispatchItems(
  run: DispatchRun,
  jobRuns: readonly JobRunRecord[],
  queued: readonly Pick<JobRunState, 'id' | 'attempt' | 'notBefore'>[],
  now: Date,
): DispatchItem[] {
  return queued.flatMap((jobRun) => {
    const record = jobRuns.find((candidate) => candidate.id === jobRun.id);
    if (record === undefined) return [];
    const sources = artifactSourcesOf(record, jobRuns).filter(
      (other) => (other.status === 'SUCCESS' || other.status === 'FAILED') && savesArtifacts(other.spec),
    );
    return [
      {
        jobRunId: jobRun.id,
        pipelineRunId: run.id,
        pipelineId: run.pipelineId ?? '',
        logRetentionDays: run.logRetentionDays ?? 0,
        attempt: jobRun.attempt,
        spec: record.spec,
        delayMs: jobRun.notBefore === null ? 0 : Math.max(0, jobRun.notBefore.getTime() - now.getTime()),
        artifactsFrom: sources.map((source) => ({
          name: source.name,
          jobRunId: source.reusedFrom ?? source.id,
        })),
        ...gitOf(run),
      },
    ];
  });
}

/** The commit a job with checkout fetches: the run's git push, if it has one. */
function gitOf(run: DispatchRun): { git?: { repository: string; commit: string; ref: string } } {
  const git = run.provenance?.git;
  return git === undefined || git.commit === ''
    ? {}
    : { git: { repository: git.repository, commit: git.commit, ref: git.ref } };
}
