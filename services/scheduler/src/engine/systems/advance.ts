import { JobOutcome, type JobRunEvent, type JobRunFinished } from '@fluxi/contracts';
import type { JobRunEventInput } from '../../domain/model.js';
import { applyJobRunEvent } from '../../domain/state-machine.js';
import { outputText, storableText } from '../../domain/safe-text.js';
import { failureClassOf } from '../../domain/status.js';
import type { JobRunRecord } from '../../store/records.js';
import type { LockedRun, RunTx } from '../../store/run-tx.js';
import type { EngineResources } from '../resources.js';
import { armInStep } from '../arm-step.js';
import { persistAndEndStep } from '../run-ended.js';
import { toRunState } from '../state.js';
import type { DispatchItem, DispatchSystem } from './dispatch.js';

export type AdvanceResult = { readonly applied: true } | { readonly applied: false; readonly ignored: string };

/** An attempt of a job run. */
export interface AttemptRef {
  readonly jobRunId: string;
  readonly attempt: number;
}

/** An event as the domain reads it, with what the executor reported when it finished. */
interface Arrival {
  readonly input: JobRunEventInput;
  readonly finished: JobRunFinished | undefined;
}

/** How one event went inside its run's transaction. */
type StepOutcome =
  | { readonly applied: false; readonly ignored: string }
  | { readonly applied: true; readonly status: string; readonly runChanged: boolean };

/**
 * Advance: applies job runs' lifecycle events to their runs, in one transaction per run
 * with the run row locked: job run, attempt record, output, context and artifacts, stage
 * records, the run; then dispatches what became QUEUED (next jobs, retries, the next run
 * of a concurrency group). Safe to call again with the same event: a repeat is ignored.
 */
export class AdvanceSystem {
  constructor(
    private readonly resources: EngineResources,
    private readonly dispatch: DispatchSystem,
  ) {}

  async apply(event: JobRunEvent): Promise<AdvanceResult> {
    const [result] = await this.applyAll([event]);
    return result as AdvanceResult;
  }

  /**
   * Applies events in arrival order and returns how each went, in the same order. The
   * events of one run are applied one after the other in one transaction that locks the
   * run once (a batch from the events stream often holds a job's start and end and its
   * siblings'): fewer statements and commits than a transaction per event.
   */
  async applyAll(events: readonly JobRunEvent[]): Promise<AdvanceResult[]> {
    const results: AdvanceResult[] = [];
    let waiting: { index: number; arrival: Arrival }[] = [];
    events.forEach((event, index) => {
      const input = toEventInput(event, this.resources.now);
      if (input === undefined) results[index] = { applied: false, ignored: 'event has no kind' };
      else
        waiting.push({
          index,
          arrival: { input, finished: event.kind.case === 'finished' ? event.kind.value : undefined },
        });
    });
    while (waiting.length > 0) {
      const outcomes = await this.applyRunOf(waiting.map((entry) => entry.arrival));
      waiting.forEach((entry, position) => {
        const outcome = outcomes[position];
        if (outcome !== undefined) results[entry.index] = outcome.applied ? { applied: true } : outcome;
      });
      waiting = waiting.filter((_, position) => outcomes[position] === undefined);
    }
    return results;
  }

  /**
   * Ends an attempt FAILED with class INFRASTRUCTURE for a failure the scheduler found
   * itself (its executor is lost, its result could not be recorded). It takes the path
   * of an executor's failure event, so the job's retry rules (a retry is a new attempt)
   * and the run's advance apply alike; no output, context or artifact is written. Ignored
   * when the attempt already ended or is no longer the job run's current one.
   */
  async fail(attempt: AttemptRef, reason: string): Promise<AdvanceResult> {
    const [outcome] = await this.applyRunOf([
      {
        input: {
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
        finished: undefined,
      },
    ]);
    return outcome?.applied === false ? outcome : { applied: true };
  }

  /**
   * Applies, in one transaction, the first arrival and every later one of the same run
   * (in order). Returns an outcome for each arrival applied, undefined for those of other runs.
   */
  private async applyRunOf(arrivals: readonly Arrival[]): Promise<(StepOutcome | undefined)[]> {
    const now = this.resources.now();
    const first = arrivals[0] as Arrival;
    const done = await this.resources.store.transaction(async (tx) => {
      const outcomes: (StepOutcome | undefined)[] = arrivals.map(() => undefined);
      const locked = await tx.lockRunOfJobRun(first.input.jobRunId);
      if (locked === undefined) {
        outcomes[0] = { applied: false, ignored: `unknown job run ${first.input.jobRunId}` };
        return { outcomes, items: [], runId: undefined, marked: new Set<string>(), armed: [] };
      }
      const ofRun = new Set(locked.jobRuns.map((jobRun) => jobRun.id));
      const items: DispatchItem[] = [];
      let stored = locked;
      for (const [position, arrival] of arrivals.entries()) {
        if (!ofRun.has(arrival.input.jobRunId)) continue;
        const step = await applyStep(tx, stored, arrival, now, this.resources.random);
        outcomes[position] = step.outcome;
        if (step.after !== undefined) stored = step.after;
        items.push(...step.items);
      }
      const marked = await this.dispatch.markInStep(tx, items);
      // Last: arming writes with the commit, after every other change of the run's job runs.
      const armed = armInStep(this.resources, tx, stored, now);
      return { outcomes, items, runId: locked.run.id, marked, armed };
    });
    done.outcomes.forEach((outcome, position) => {
      if (outcome !== undefined) this.logOutcome(done.runId, (arrivals[position] as Arrival).input, outcome);
    });
    await Promise.all([this.dispatch.enqueue(done.items, done.marked), this.dispatch.arm(done.armed)]);
    return done.outcomes;
  }

  private logOutcome(runId: string | undefined, input: JobRunEventInput, outcome: StepOutcome): void {
    const log = this.resources.logger.child({
      ...(runId === undefined ? {} : { pipelineRunId: runId }),
      jobRunId: input.jobRunId,
      attempt: input.attempt,
    });
    if (!outcome.applied) {
      log.debug({ event: input.kind, reason: outcome.ignored }, 'event ignored');
      return;
    }
    log.debug({ event: input.kind }, 'event applied');
    if (outcome.runChanged) log.info({ status: outcome.status }, 'run status');
  }
}

/** One event applied to a locked run inside its transaction; `after`: the run as it then is (undefined: unchanged). */
async function applyStep(
  tx: RunTx,
  stored: LockedRun,
  { input, finished }: Arrival,
  now: Date,
  random: () => number,
): Promise<{ outcome: StepOutcome; items: DispatchItem[]; after?: LockedRun }> {
  const result = applyJobRunEvent(toRunState(stored.run, stored.jobRuns), input, { random });
  if (!result.applied) return { outcome: result, items: [] };
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
  const persisted = await persistAndEndStep(tx, stored, result, now, { outputs, replacedAttempts });
  return {
    outcome: { applied: true, status: result.run.status, runChanged: result.runChanged },
    items: persisted.items,
    after: persisted.after,
  };
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
