import { ContractVersion, create, ExecuteJobSchema, fromJson, JobSpecSchema } from '@fluxi/contracts';
import { admit, isLimited, RATE_WINDOW_MS, type HeldJobRun, type PoolLimits } from '../../domain/limits.js';
import { routeOf } from '../../domain/routing.js';
import type { JobRunRecord, StoredJson } from '../../store/records.js';
import type { RunTx } from '../../store/run-tx.js';
import { dispatchItems, type DispatchRun } from '../persist.js';
import { startLoop } from '../loop.js';
import type { EngineResources } from '../resources.js';
import { errorSummary } from '../../domain/error-summary.js';
import type { ArmedItem } from '../arm-step.js';
import type { ArmedClaim } from '../ports.js';
import { stopAttempts } from './stop.js';
import { waitingReasonOf } from '../waiting-reasons.js';

const NONE: ReadonlySet<string> = new Set();

/** Why an armed attempt an executor enqueued is stopped: its job run ended before it could run (skipped, cancelled). */
const DROPPED = 'the job run ended before its attempt could run';

/** One attempt of a job run to hand to the executors; it is already committed as QUEUED. */
export interface DispatchItem {
  readonly jobRunId: string;
  readonly pipelineRunId: string;
  /** The run's pipeline; empty for a run of a single job. */
  readonly pipelineId: string;
  /** The pipeline's log retention in days; 0: the log store's default. */
  readonly logRetentionDays: number;
  readonly attempt: number;
  /** Proto JSON of the frozen JobSpec. */
  readonly spec: StoredJson;
  /** Retry backoff still to wait. */
  readonly delayMs: number;
  /** Job runs whose artifacts the attempt receives (those it waits for). */
  readonly artifactsFrom: readonly { name: string; jobRunId: string }[];
  /** The commit of the run's git push, fetched by jobs with checkout; absent for other runs. */
  readonly git?: { repository: string; commit: string; ref: string } | undefined;
  /**
   * A job run that was armed (fast path) and that the step queued (`released`: enqueued by this
   * scheduler only if no executor did) or ended without running (`dropped`: stopped if one did).
   */
  readonly armed?: 'released' | 'dropped';
}

/**
 * Dispatch: hands QUEUED job runs to the executors' queue (the queue of their pool and
 * tags), always after the transaction that queued them committed, and marks each attempt
 * handed over (`dispatched_attempt`).
 *
 * Limits (config `pools.<p>.maxConcurrent` and `ratePerMinute`, a job's `maxConcurrent`)
 * are applied here, where they are exact: an attempt subject to one is handed over only by
 * a pass that holds the locks of its pool and job, counts what is handed over and not ended
 * (queued in BullMQ, delayed or running, across all queues of the pool and every scheduler),
 * and hands over what fits, oldest run first. The rest stays QUEUED, held back, with its
 * waiting reason; a pass runs after every change that may free a place, and every
 * `scheduler.dispatchIntervalMs` (rate windows, other schedulers). The rate limit is a
 * sliding window of hand-overs (`pool_dispatches`), not BullMQ's per-queue limiter.
 *
 * A crash or a Redis error between the hand-over and the enqueue leaves a QUEUED job run
 * without its queue entry; `recover()` (at start and periodically) adds it again.
 */
export class DispatchSystem {
  /** Whether the last pass left job runs held back (or could not run): the next change runs a pass. */
  private heldBack = true;
  private passing: Promise<boolean> | undefined;
  private passAgain = false;

  constructor(private readonly resources: EngineResources) {}

  private get limits(): PoolLimits {
    return this.resources.pools ?? {};
  }

  /**
   * Hands over job runs that just became QUEUED: those without a limit at once (`marked`: those
   * markInStep() marked in their transaction), the others through a pass. Never throws (a
   * failure is logged and repaired by the next pass or recovery).
   */
  async enqueue(all: readonly DispatchItem[], marked: ReadonlySet<string> = NONE): Promise<boolean> {
    const armed = all.filter((item) => item.armed !== undefined);
    const items = armed.length === 0 ? all : all.filter((item) => item.armed === undefined);
    const free = items.filter((item) => !isLimited(routeOf(item.spec), this.limits));
    const unmarked = free.filter((item) => !marked.has(item.jobRunId));
    let ok = unmarked.length === 0 || (await this.handOver(unmarked));
    if (unmarked.length < free.length) ok = (await this.send(free.filter((item) => marked.has(item.jobRunId)))) && ok;
    if (free.length < items.length || this.heldBack) ok = (await this.pass()) && ok;
    if (armed.length > 0) ok = (await this.settleArmed(armed)) && ok;
    return ok;
  }

  /**
   * After the commit of a step that armed job runs (fast path): stores them for the executor of
   * the attempt each is armed on. Never throws: one not stored is enqueued by this scheduler
   * when it applies that attempt's end, as without the fast path.
   */
  async arm(armed: readonly ArmedItem[]): Promise<void> {
    const handOvers = this.resources.armed;
    if (armed.length === 0 || handOvers === undefined) return;
    const items = armed.map(({ item }) => item);
    const parents = await this.resources.tracing?.taskParents(items);
    try {
      await handOvers.arm(
        armed.map(({ item, on }) => ({
          queued: { job: toExecuteJob(item, parents?.get(item.jobRunId)), delayMs: 0 },
          on,
        })),
      );
    } catch (error) {
      this.resources.logger.warn(
        { err: errorSummary(error), jobRunIds: items.map((item) => item.jobRunId) },
        'could not arm job runs; the scheduler queues them itself',
      );
    }
  }

  /**
   * Armed job runs a committed step released or dropped: each is claimed, so that it is enqueued
   * once, by this scheduler or by the executor of what it waited for. A released one this
   * scheduler claimed (or that was never stored) is enqueued here; a dropped one an executor
   * already enqueued is taken out of the queue and stopped, like a cancelled one.
   */
  private async settleArmed(armed: readonly DispatchItem[]): Promise<boolean> {
    const { armed: handOvers, logger } = this.resources;
    let claims: readonly (ArmedClaim | 'unknown')[];
    try {
      claims = handOvers === undefined ? armed.map(() => 'missing') : await handOvers.claim(armed);
    } catch (error) {
      // Unknown: enqueue what was released (an attempt already in the queue is not added twice), stop what was dropped.
      logger.warn({ err: errorSummary(error) }, 'could not claim armed job runs');
      claims = armed.map(() => 'unknown');
    }
    const send = armed.filter((item, index) => item.armed === 'released' && claims[index] !== 'taken');
    const stop = armed.filter(
      (item, index) => item.armed === 'dropped' && (claims[index] === 'taken' || claims[index] === 'unknown'),
    );
    const sent = await this.send(send);
    await stopAttempts(
      this.resources,
      stop.map((item) => ({ jobRunId: item.jobRunId, attempt: item.attempt, reason: DROPPED })),
    );
    return sent;
  }

  /**
   * Inside the transaction that queued `items`: marks those without a limit handed over, so
   * the hand-over commits with the step instead of in a transaction of its own after it (a
   * crash before the enqueue leaves them to recovery, as a crash between the two did).
   * Returns the ids marked, for enqueue() after the commit.
   */
  async markInStep(tx: RunTx, items: readonly DispatchItem[]): Promise<ReadonlySet<string>> {
    // An armed job run was handed over when it was armed.
    const free = items.filter((item) => item.armed === undefined && !isLimited(routeOf(item.spec), this.limits));
    if (free.length === 0) return NONE;
    return new Set(
      await tx.dispatch.markDispatched(free.map((item) => ({ id: item.jobRunId, attempt: item.attempt }))),
    );
  }

  /**
   * Hands over the held job runs that fit their limits now. One pass at a time: a pass
   * asked for during one runs once more after it. Never throws.
   */
  pass(): Promise<boolean> {
    if (this.passing !== undefined) {
      this.passAgain = true;
      return this.passing;
    }
    this.passing = (async () => {
      let ok = true;
      do {
        this.passAgain = false;
        ok = await this.passOnce();
      } while (this.passAgain);
      return ok;
    })().finally(() => {
      this.passing = undefined;
    });
    return this.passing;
  }

  /** Enqueues every QUEUED job run handed over whose attempt the queue does not hold, then runs a pass. Returns how many. */
  async recover(): Promise<number> {
    const { store, queue } = this.resources;
    const missing: JobRunRecord[] = [];
    for (const jobRun of await store.listQueued()) {
      if (!(await queue.holds(jobRun.id, jobRun.attempt))) missing.push(jobRun);
    }
    if (missing.length > 0) {
      const runIds = [...new Set(missing.map((jobRun) => jobRun.pipelineRunId))];
      const items = itemsOf(
        await store.dispatch.runsOf(runIds),
        await store.jobRunsOf(runIds),
        missing,
        this.resources.now(),
      );
      this.resources.logger.warn(
        { jobRunIds: items.map((item) => item.jobRunId) },
        're-enqueuing QUEUED job runs missing from the queue',
      );
      if (!(await this.send(items))) throw new Error('recovery could not enqueue the missing job runs');
    }
    if (!(await this.pass())) throw new Error('recovery could not hand over the held job runs');
    return missing.length;
  }

  /** Runs recover() every `intervalMs` until stopped. */
  startRecoveryLoop(intervalMs: number): { stop(): Promise<void> } {
    return startLoop(
      intervalMs,
      () => this.recover(),
      (error) => this.resources.logger.warn({ err: errorSummary(error) }, 'periodic recovery failed'),
    );
  }

  /** Runs a pass every `intervalMs` until stopped (rate windows, places freed by another scheduler). */
  startDispatchLoop(intervalMs: number): { stop(): Promise<void> } {
    return startLoop(
      intervalMs,
      () => this.pass(),
      () => undefined,
    );
  }

  /** Why a PENDING or QUEUED job run waits now; null for the others (see waiting-reasons.ts). */
  waitingReason(jobRun: JobRunRecord): Promise<string | null> {
    return waitingReasonOf(this.resources, jobRun);
  }

  /** Marks items without a limit handed over, then enqueues those marked. */
  private async handOver(items: readonly DispatchItem[]): Promise<boolean> {
    let marked: Set<string>;
    try {
      marked = new Set(
        await this.resources.store.dispatch.markDispatched(
          items.map((item) => ({ id: item.jobRunId, attempt: item.attempt })),
        ),
      );
    } catch (error) {
      this.heldBack = true;
      this.resources.logger.error(
        { err: errorSummary(error), jobRunIds: items.map((item) => item.jobRunId) },
        'could not hand job runs over; they stay QUEUED and the next dispatch pass takes them',
      );
      return false;
    }
    return this.send(items.filter((item) => marked.has(item.jobRunId)));
  }

  private async passOnce(): Promise<boolean> {
    const { store, logger } = this.resources;
    try {
      const outcome = await store.transaction((tx) => this.admitHeld(tx));
      this.heldBack = outcome.waiting.length > 0;
      if (outcome.items.length > 0) {
        logger.debug({ jobRunIds: outcome.items.map((item) => item.jobRunId) }, 'held job runs handed over');
      }
      return await this.send(outcome.items);
    } catch (error) {
      this.heldBack = true;
      logger.warn({ err: errorSummary(error) }, 'dispatch pass failed; the next one tries again');
      return false;
    }
  }

  /** In one transaction: locks the limits of the held job runs, hands over what fits, returns what to enqueue. */
  private async admitHeld(tx: RunTx): Promise<{ items: DispatchItem[]; waiting: HeldJobRun[] }> {
    const held = await tx.dispatch.held();
    if (held.length === 0) return { items: [], waiting: [] };
    const limits = this.limits;
    const limited = held.filter((jobRun) => isLimited(jobRun, limits));
    const pools = [...new Set(limited.map((jobRun) => jobRun.pool))].filter((pool) => limits[pool] !== undefined);
    const jobs = [...new Set(limited.filter((jobRun) => jobRun.maxConcurrent > 0).map((jobRun) => jobRun.jobId))];
    await tx.dispatch.lock([...pools.map((pool) => `limit-pool:${pool}`), ...jobs.map((job) => `limit-job:${job}`)]);
    const now = this.resources.now();
    const windowStart = new Date(now.getTime() - RATE_WINDOW_MS);
    const occupancy = await tx.dispatch.occupancy(pools, jobs, windowStart);
    const { admitted, waiting } = admit(held, occupancy, limits);
    const marked = new Set(await tx.dispatch.markDispatched(admitted));
    const handed = admitted.filter((jobRun) => marked.has(jobRun.id));
    const rated = handed.filter((jobRun) => limits[jobRun.pool]?.ratePerMinute !== undefined);
    await tx.dispatch.recordRate(
      rated.map((jobRun) => jobRun.pool),
      now,
      windowStart,
    );
    const runIds = [...new Set(handed.map((jobRun) => jobRun.pipelineRunId))];
    const all = await tx.dispatch.jobRunsOf(runIds);
    const current = all.filter((jobRun) => marked.has(jobRun.id));
    return { items: itemsOf(await tx.dispatch.runsOf(runIds), all, current, now), waiting };
  }

  /** Enqueues attempts already handed over; false (logged) when the queue refused them. */
  private async send(items: readonly DispatchItem[]): Promise<boolean> {
    if (items.length === 0) return true;
    const { tracing } = this.resources;
    const parents = tracing === undefined ? undefined : await tracing.taskParents(items);
    try {
      await this.resources.queue.enqueue(
        items.map((item) => ({ job: toExecuteJob(item, parents?.get(item.jobRunId)), delayMs: item.delayMs })),
      );
      return true;
    } catch (error) {
      this.resources.logger.error(
        { err: errorSummary(error), jobRunIds: items.map((item) => item.jobRunId) },
        'enqueue failed; the job runs stay QUEUED and are enqueued again by the next recovery',
      );
      return false;
    }
  }
}

/** The dispatch items of `queued`, from their runs and all job runs of their runs. */
function itemsOf(
  runs: readonly DispatchRun[],
  all: readonly JobRunRecord[],
  queued: readonly JobRunRecord[],
  now: Date,
): DispatchItem[] {
  const runIds = [...new Set(queued.map((jobRun) => jobRun.pipelineRunId))];
  return runIds.flatMap((runId) =>
    dispatchItems(
      runs.find((run) => run.id === runId) ?? { id: runId, pipelineId: null, logRetentionDays: null },
      all.filter((jobRun) => jobRun.pipelineRunId === runId),
      queued.filter((jobRun) => jobRun.pipelineRunId === runId),
      now,
    ),
  );
}

function toExecuteJob(item: DispatchItem, traceparent = '') {
  return create(ExecuteJobSchema, {
    version: ContractVersion.CONTRACT_VERSION_1,
    jobRunId: item.jobRunId,
    pipelineRunId: item.pipelineRunId,
    pipelineId: item.pipelineId,
    logRetentionDays: item.logRetentionDays,
    job: fromJson(JobSpecSchema, item.spec),
    attempt: item.attempt,
    // The job run's task span (empty: not traced), parent of the executor's attempt span.
    traceparent,
    artifactsFrom: item.artifactsFrom.map((source) => ({ name: source.name, jobRunId: source.jobRunId })),
    ...(item.git === undefined ? {} : { git: item.git }),
  });
}
