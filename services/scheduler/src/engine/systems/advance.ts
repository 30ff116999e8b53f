import { FailureClass, JobOutcome, type JobRunEvent } from '@fluxi/contracts';
import type { JobRunEventInput } from '../../domain/model.js';
import { applyJobRunEvent } from '../../domain/state-machine.js';
import type { FailureClassName } from '../../domain/status.js';
import type { EngineResources } from '../resources.js';
import { toProgress, toRunState } from '../state.js';
import type { DispatchItem, DispatchSystem } from './dispatch.js';

export type AdvanceResult = { readonly applied: true } | { readonly applied: false; readonly ignored: string };

/**
 * Advance: applies a job run's lifecycle event to its run, in one transaction with
 * the run row locked, then dispatches what became QUEUED (next jobs, retries).
 * Safe to call again with the same event: a repeat is ignored.
 */
export class AdvanceSystem {
  constructor(
    private readonly resources: EngineResources,
    private readonly dispatch: DispatchSystem,
  ) {}

  async apply(event: JobRunEvent): Promise<AdvanceResult> {
    const input = toEventInput(event, this.resources.now);
    if (input === undefined) return { applied: false, ignored: 'event has no kind' };
    const outcome = await this.resources.store.transaction(async (tx) => {
      const runId = await tx.runIdOfJobRun(input.jobRunId);
      const stored = runId === undefined ? undefined : await tx.lockRun(runId);
      if (stored === undefined) return { applied: false as const, ignored: `unknown job run ${input.jobRunId}` };
      const result = applyJobRunEvent(toRunState(stored.run, stored.jobRuns), input);
      if (!result.applied) return result;
      for (const jobRun of result.changed) await tx.updateJobRun(toProgress(jobRun));
      if (result.runChanged) {
        const { id, status, startedAt, endedAt } = result.run;
        await tx.updateRun({ id, status, startedAt, endedAt });
      }
      const specs = new Map(stored.jobRuns.map((jobRun) => [jobRun.id, jobRun.spec]));
      const items: DispatchItem[] = result.dispatch.map((jobRun) => ({
        jobRunId: jobRun.id,
        pipelineRunId: stored.run.id,
        attempt: jobRun.attempt,
        spec: specs.get(jobRun.id) ?? null,
      }));
      return { applied: true as const, items, status: result.run.status, runChanged: result.runChanged };
    });
    const log = this.resources.logger.child({
      pipelineRunId: event.pipelineRunId,
      jobRunId: input.jobRunId,
      attempt: input.attempt,
    });
    if (!outcome.applied) {
      log.debug({ event: input.kind, reason: outcome.ignored }, 'event ignored');
      return outcome;
    }
    log.debug({ event: input.kind }, 'event applied');
    if (outcome.runChanged) log.info({ status: outcome.status }, 'run status');
    await this.dispatch.enqueue(outcome.items);
    return { applied: true };
  }
}

/** The domain's view of a contract event; undefined for an event without a kind. */
export function toEventInput(event: JobRunEvent, now: () => Date): JobRunEventInput | undefined {
  const at = event.atMs > 0n ? new Date(Number(event.atMs)) : now();
  const base = { jobRunId: event.jobRunId, attempt: event.attempt, at };
  switch (event.kind.case) {
    case 'started':
      return { kind: 'started', ...base };
    case 'finished': {
      const finished = event.kind.value;
      return {
        kind: 'finished',
        ...base,
        outcome: OUTCOMES[finished.outcome] ?? 'FAILED',
        exitCode: finished.exitCode,
        failureClass: FAILURE_CLASSES[finished.failureClass] ?? null,
        reason: finished.reason === '' ? null : finished.reason,
      };
    }
    default:
      return undefined;
  }
}

/** An unspecified outcome counts as a failure. */
const OUTCOMES: Partial<Record<JobOutcome, 'SUCCESS' | 'FAILED' | 'CANCELLED'>> = {
  [JobOutcome.SUCCESS]: 'SUCCESS',
  [JobOutcome.FAILED]: 'FAILED',
  [JobOutcome.CANCELLED]: 'CANCELLED',
};

const FAILURE_CLASSES: Partial<Record<FailureClass, FailureClassName>> = {
  [FailureClass.JOB]: 'JOB',
  [FailureClass.TIMEOUT]: 'TIMEOUT',
  [FailureClass.INFRASTRUCTURE]: 'INFRASTRUCTURE',
  [FailureClass.CANCELLED]: 'CANCELLED',
};
