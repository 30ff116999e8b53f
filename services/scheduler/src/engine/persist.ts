import type { JobRunState, Step } from '../domain/model.js';
import { waitsFor } from '../domain/readiness.js';
import { stageRuns, type StageRunState } from '../domain/stages.js';
import { isTerminal } from '../domain/status.js';
import type { JobRunRecord } from '../store/records.js';
import type { LockedRun, RunTx } from '../store/run-tx.js';
import type { DispatchItem } from './systems/dispatch.js';
import { afterStep, toProgress } from './state.js';

export interface PersistOptions {
  /** Standard output of attempts that just ran, by job run id. */
  readonly outputs?: ReadonlyMap<string, { text: string; bytes: number }>;
  /**
   * Write a record for attempts this step ended (cancel, run timeout). A job run holds
   * its latest attempt itself; records are only needed for attempts it no longer shows:
   * retried ones (written by the advance system, which has the event) and stopped ones.
   */
  readonly recordEndedAttempts?: boolean;
}

/**
 * Writes a step of a locked run inside its transaction: changed job runs and their
 * attempt records, the stage records, the run. Returns what to enqueue after commit,
 * whether the run just ended, and the locked run as it now is.
 */
export async function persistStep(
  tx: RunTx,
  stored: LockedRun,
  step: Step,
  now: Date,
  options: PersistOptions = {},
): Promise<{ items: DispatchItem[]; ended: boolean; after: LockedRun }> {
  const before = new Map(stored.jobRuns.map((jobRun) => [jobRun.id, jobRun]));
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
  const after = afterStep(stored, step.run);
  const stagesBefore = stageRuns(stored.jobRuns);
  const stagesAfter = stageRuns(after.jobRuns);
  const changedStages = stagesAfter.filter((stage, index) => !sameStage(stage, stagesBefore[index]));
  if (changedStages.length > 0) await tx.saveStageRuns(stored.run.id, changedStages);
  if (step.runChanged) {
    const { id, status, reason, startedAt, endedAt } = step.run;
    await tx.updateRun({ id, status, reason, startedAt, endedAt });
  }
  return {
    items: dispatchItems(stored.run.id, after.jobRuns, step.dispatch, now),
    ended: step.runChanged && isTerminal(step.run.status) && !isTerminal(stored.run.status),
    after,
  };
}

function sameStage(a: StageRunState, b: StageRunState | undefined): boolean {
  return (
    b !== undefined &&
    a.status === b.status &&
    a.startedAt?.getTime() === b.startedAt?.getTime() &&
    a.endedAt?.getTime() === b.endedAt?.getTime()
  );
}

/** What to enqueue for job runs that became QUEUED: delay from their backoff, artifacts of what they wait for. */
export function dispatchItems(
  runId: string,
  jobRuns: readonly JobRunRecord[],
  queued: readonly Pick<JobRunState, 'id' | 'attempt' | 'notBefore'>[],
  now: Date,
): DispatchItem[] {
  return queued.flatMap((jobRun) => {
    const record = jobRuns.find((candidate) => candidate.id === jobRun.id);
    if (record === undefined) return [];
    const sources = waitsFor(record, jobRuns).filter(
      (other) => other.status === 'SUCCESS' || other.status === 'FAILED',
    );
    return [
      {
        jobRunId: jobRun.id,
        pipelineRunId: runId,
        attempt: jobRun.attempt,
        spec: record.spec,
        delayMs: jobRun.notBefore === null ? 0 : Math.max(0, jobRun.notBefore.getTime() - now.getTime()),
        artifactsFrom: sources.map((source) => ({
          name: source.name,
          jobRunId: source.reusedFrom ?? source.id,
        })),
      },
    ];
  });
}
