import { JobOutcome, type JobRunEvent, type JobRunFinished } from '@fluxi/contracts';
import type { JobRunEventInput } from '../../domain/model.js';
import { applyJobRunEvent } from '../../domain/state-machine.js';
import { outputText, storableText } from '../../domain/safe-text.js';
import { failureClassOf } from '../../domain/status.js';
import type { JobRunRecord } from '../../store/records.js';
import type { RunTx } from '../../store/run-tx.js';
import type { EngineResources } from '../resources.js';
import { persistAndEnd } from '../run-ended.js';
import { toRunState } from '../state.js';
import type { DispatchSystem } from './dispatch.js';

export type AdvanceResult = { readonly applied: true } | { readonly applied: false; readonly ignored: string };

/** An attempt of a job run. */
export interface AttemptRef {
  readonly jobRunId: string;
  readonly attempt: number;
}

/**
 * Advance: applies a job run's lifecycle event to its run, in one transaction with
 * the run row locked: job run, attempt record, output, context and artifacts, stage
 * records, the run; then dispatches what became QUEUED (next jobs, retries, the next
 * run of a concurrency group). Safe to call again with the same event: a repeat is ignored.
 */
export class AdvanceSystem {
  constructor(
    private readonly resources: EngineResources,
    private readonly dispatch: DispatchSystem,
  ) {}

  async apply(event: JobRunEvent): Promise<AdvanceResult> {
    const input = toEventInput(event, this.resources.now);
    if (input === undefined) return { applied: false, ignored: 'event has no kind' };
    return this.applyInput(input, event.kind.case === 'finished' ? event.kind.value : undefined);
  }

  /**
   * Ends an attempt FAILED with class INFRASTRUCTURE for a failure the scheduler found
   * itself (its executor is lost, its result could not be recorded). It takes the path
   * of an executor's failure event, so the job's retry rules (a retry is a new attempt)
   * and the run's advance apply alike; no output, context or artifact is written. Ignored
   * when the attempt already ended or is no longer the job run's current one.
   */
  fail(attempt: AttemptRef, reason: string): Promise<AdvanceResult> {
    return this.applyInput(
      {
        kind: 'finished',
        jobRunId: attempt.jobRunId,
        attempt: attempt.attempt,
        at: this.resources.now(),
        outcome: 'FAILED',
        // Unknown: the process did not report how it ended.
        exitCode: null,
        failureClass: 'INFRASTRUCTURE',
        reason: storableText(reason),
      },
      undefined,
    );
  }

  /** `finished`: what the executor reported with a finish event (output, artifacts); none for a failure found here. */
  private async applyInput(input: JobRunEventInput, finished: JobRunFinished | undefined): Promise<AdvanceResult> {
    const now = this.resources.now();
    const outcome = await this.resources.store.transaction(async (tx) => {
      const stored = await tx.lockRunOfJobRun(input.jobRunId);
      if (stored === undefined) return { applied: false as const, ignored: `unknown job run ${input.jobRunId}` };
      const runId = stored.run.id;
      const result = applyJobRunEvent(toRunState(stored.run, stored.jobRuns), input, { random: this.resources.random });
      if (!result.applied) return { ...result, runId };
      const jobRun = stored.jobRuns.find((candidate) => candidate.id === input.jobRunId) as JobRunRecord;
      const after = result.run.jobRuns.find((candidate) => candidate.id === input.jobRunId);
      // Retried: the failed attempt's record (written with the step) comes from the event.
      const replacedAttempts =
        input.kind === 'finished' && after !== undefined && after.attempt !== input.attempt
          ? [
              {
                jobRunId: jobRun.id,
                name: jobRun.name,
                attempt: input.attempt,
                status: input.outcome,
                exitCode: input.exitCode,
                failureClass: input.failureClass,
                reason: input.reason,
                startedAt: jobRun.startedAt,
                endedAt: input.at,
              },
            ]
          : [];
      const output =
        finished !== undefined && input.kind === 'finished'
          ? await recordExecution(tx, jobRun, input, finished, now)
          : undefined;
      const outputs = output === undefined ? undefined : new Map([[jobRun.id, output]]);
      const items = await persistAndEnd(tx, stored, result, now, { outputs, replacedAttempts });
      return { applied: true as const, items, status: result.run.status, runChanged: result.runChanged, runId };
    });
    const log = this.resources.logger.child({
      ...('runId' in outcome ? { pipelineRunId: outcome.runId } : {}),
      jobRunId: input.jobRunId,
      attempt: input.attempt,
    });
    if (!outcome.applied) {
      log.debug({ event: input.kind, reason: outcome.ignored }, 'event ignored');
      return { applied: false, ignored: outcome.ignored };
    }
    log.debug({ event: input.kind }, 'event applied');
    if (outcome.runChanged) log.info({ status: outcome.status }, 'run status');
    await this.dispatch.enqueue(outcome.items);
    return { applied: true };
  }
}

/**
 * An attempt that finished: its artifacts; unless cancelled, the job's context and the
 * output to keep on the job run (returned, written with the job run's progress).
 */
async function recordExecution(
  tx: RunTx,
  jobRun: JobRunRecord,
  input: Extract<JobRunEventInput, { kind: 'finished' }>,
  finished: JobRunFinished,
  now: Date,
): Promise<{ text: string; bytes: number } | undefined> {
  if (finished.artifacts.length > 0) {
    await tx.insertArtifacts(
      jobRun.id,
      input.attempt,
      finished.artifacts.map((file) => ({ path: storableText(file.path), sizeBytes: Number(file.sizeBytes) })),
    );
  }
  if (input.outcome === 'CANCELLED') return undefined;
  const output = outputText(finished.output);
  const outputBytes = Math.max(Number(finished.outputBytes), finished.output.length);
  const startedAt = jobRun.startedAt;
  await tx.contexts.write(
    {
      kind: 'job',
      ownerId: jobRun.jobId,
      name: jobName(jobRun),
      value: output,
      sizeBytes: outputBytes,
      truncated: outputBytes > finished.output.length,
      pipelineRunId: jobRun.pipelineRunId,
      jobRunId: jobRun.id,
      startedAt,
      durationMs: startedAt === null ? null : Math.max(0, input.at.getTime() - startedAt.getTime()),
      exitCode: input.exitCode,
      status: input.outcome,
      parts: [],
    },
    now,
  );
  return { text: output, bytes: outputBytes };
}

/** The job's own name, as frozen in the spec (an entry may rename it in the pipeline). */
function jobName(jobRun: JobRunRecord): string {
  const spec = jobRun.spec;
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec) && typeof spec['name'] === 'string') {
    return spec['name'];
  }
  return jobRun.entry;
}

/** The domain's view of a contract event; undefined for an event without a kind. */
export function toEventInput(event: JobRunEvent, now: () => Date): JobRunEventInput | undefined {
  const at = event.atMs > 0n ? new Date(Number(event.atMs)) : now();
  // Ids and reason go into SQL parameters and columns: a NUL in them would fail every write.
  const base = { jobRunId: storableText(event.jobRunId), attempt: event.attempt, at };
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
        failureClass: failureClassOf(finished.failureClass) ?? null,
        reason: finished.reason === '' ? null : storableText(finished.reason),
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
