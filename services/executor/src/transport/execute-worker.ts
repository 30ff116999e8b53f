import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { settlesWithin, type Logger, type StopOptions } from '@fluxi/common';
import { JobOutcome } from '@fluxi/contracts';
import { parseExecutePayload } from '../domain/payload.js';
import { EXECUTOR_DEPS, type ExecutorDeps } from '../deps.js';
import { ActiveAttempts } from '../run/active-attempts.js';
import { JobRunner } from '../run/job-runner.js';
import { ArmedSuccessors } from './armed-successors.js';
import { QueueSubscriptions } from './queue-subscriptions.js';

/** What a completed BullMQ `execute` job returns (kept small: it is stored in Redis). */
export interface ExecuteResult {
  outcome: string;
  exitCode: number;
  lastSeq: number;
}

/** How long an orphaned executor waits for its worker to close once it gave up publishing. */
const ORPHANED_CLOSE_MS = 2000;

/**
 * BullMQ never runs an attempt twice: a job whose executor died (its lock expired) is
 * failed ("job stalled more than allowable limit") instead of being handed to another
 * worker under the same attempt, message ids and log seqs. BullMQ 6.7 moves such a job
 * to wait marked as a deferred failure, and the next worker to take it fails it without
 * running it; a job taken a second time for any other reason fails the same way. The
 * scheduler sees the failure (or the executor's lost heartbeat first) and, when the job's
 * retry rules allow, enqueues a new attempt.
 */
const NO_QUEUE_RERUN = { maxStalledCount: 0, maxStartedAttempts: 1 } as const;

/** Longest wait for the fast path's work after an attempt (see afterFinish). */
const SUCCESSORS_WAIT_MS = 5000;

/** The reason of attempts stopped because the executor stops. */
export const EXECUTOR_STOPPED_REASON = 'executor stopped while the job was running';

/**
 * The BullMQ worker of this executor's pool. Each job is validated on arrival
 * and run by the JobRunner; stop() lets running jobs finish, then kills them.
 */
@Injectable()
export class ExecuteWorker implements OnApplicationBootstrap {
  /** The workers of every queue of the pool this executor can take (queue-subscriptions.ts). */
  private worker: QueueSubscriptions | undefined;
  private readonly giveUp = new AbortController();
  private readonly logger: Logger;
  private stopping: Promise<void> | undefined;
  /** Drain (drain/resume): what the admin asked for last, the worker's state, the change under way. */
  private drainWanted = false;
  private paused = false;
  private drainChange: Promise<void> | undefined;
  private hostChangeListener: (() => void) | undefined;

  constructor(
    @Inject(EXECUTOR_DEPS) private readonly deps: ExecutorDeps,
    @Inject(JobRunner) private readonly runner: JobRunner,
    @Inject(ActiveAttempts) private readonly active: ActiveAttempts,
    @Inject(ArmedSuccessors) private readonly successors: ArmedSuccessors,
  ) {
    this.logger = deps.logger.child({ component: 'worker' });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config } = this.deps;
    const { pool, tags, concurrency, queueWatchSec, admission } = config.executor;
    const worker = new QueueSubscriptions({
      redisUrl: this.deps.redisUrl,
      redisTls: config.redis.tls,
      prefix: config.redis.prefix,
      pool,
      tags,
      concurrency,
      name: this.deps.executorId,
      workerOptions: NO_QUEUE_RERUN,
      watchMs: queueWatchSec * 1000,
      admission: { ...admission, checkMs: admission.checkSec * 1000 },
      onHostChange: () => this.hostChangeListener?.(),
      logger: this.logger,
      process: (job: Job) => this.process(job),
    });
    this.worker = worker;
    await worker.start();
    this.logger.info(
      { pool, tags, queues: worker.queues(), concurrency, executorId: this.deps.executorId },
      'executor ready',
    );
  }

  /** Draining: an admin's drain (until the resume took effect), or a stop under way. */
  get draining(): boolean {
    return this.drainWanted || this.paused || this.stopping !== undefined;
  }

  /** Why it takes no new job although not draining: the host under its admission thresholds; undefined: it takes work. */
  get pausedReason(): string | undefined {
    return this.worker?.hostProblem;
  }

  /** Calls `listener` when pausedReason starts or stops (the registry entry says so at once). */
  onHostChange(listener: () => void): void {
    this.hostChangeListener = listener;
  }

  /** Takes no new job (an admin's drain); running ones go on. */
  drain(): void {
    this.drainWanted = true;
    void this.applyDrain();
  }

  /** Takes jobs again after drain(). */
  resume(): Promise<void> {
    this.drainWanted = false;
    return this.applyDrain();
  }

  /** Brings the workers to the drain state asked for last, one pause or resume at a time. */
  private applyDrain(): Promise<void> {
    this.drainChange ??= (async () => {
      // Settles after the assignment above, so `finally` clears this very change.
      await Promise.resolve();
      try {
        while (this.worker !== undefined && this.stopping === undefined && this.drainWanted !== this.paused) {
          if (this.drainWanted) {
            this.paused = true;
            await this.worker.pause();
          } else {
            await this.worker.resume();
            this.paused = false;
          }
        }
      } catch (error) {
        this.logger.error({ err: error }, 'could not change the drain state of the worker');
      } finally {
        this.drainChange = undefined;
      }
    })();
    return this.drainChange;
  }

  /** Job-run ids of the attempts running now. */
  activeJobs(): string[] {
    return this.active.jobRunIds();
  }

  /**
   * Takes no new job; waits up to shutdownGraceMs for running ones, then kills
   * their process groups and waits up to publishGraceMs for their finish events.
   */
  shutdown(options: StopOptions = {}): Promise<void> {
    this.stopping ??= this.closeWorker(options.orphaned === true);
    return this.stopping;
  }

  private async closeWorker(orphaned: boolean): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    const closing = worker.close();
    const closedInGrace = await settlesWithin(closing, this.deps.shutdownGraceMs);
    if (!closedInGrace && this.active.size > 0) {
      this.logger.warn({ jobRuns: this.activeJobs() }, 'jobs still running after the shutdown grace: stopping them');
      this.active.stopAll({ kind: 'stopped', reason: EXECUTOR_STOPPED_REASON });
      if (orphaned || !(await settlesWithin(closing, this.deps.publishGraceMs))) {
        this.logger.error({ jobRuns: this.activeJobs() }, 'could not publish the finish of stopped jobs: giving up');
        this.giveUp.abort();
      }
    }
    if (orphaned) this.giveUp.abort();
    // Giving up makes every publish fail at once; past this, nothing is left to wait for.
    if (!(await settlesWithin(closing, orphaned ? ORPHANED_CLOSE_MS : this.deps.publishGraceMs))) {
      this.logger.error('the worker did not close after giving up: leaving it');
    }
  }

  /**
   * The fast path's part once an attempt's `finished` event is out, bounded: a Redis or NATS that
   * does not answer holds the slot SUCCESSORS_WAIT_MS at most (the rest goes on in the background,
   * and what is not enqueued in the end is the scheduler's to enqueue).
   */
  private async afterFinish(
    attempt: { jobRunId: string; attempt: number },
    succeeded: boolean,
    published: Promise<void>,
  ): Promise<void> {
    const work = succeeded ? this.successors.queueAfter(attempt, published) : this.successors.forget(attempt);
    if (!(await settlesWithin(work, SUCCESSORS_WAIT_MS))) {
      this.logger.warn(
        { jobRunId: attempt.jobRunId },
        'armed job runs not settled in time: the slot goes on, they settle in the background or by the scheduler',
      );
    }
  }

  private async process(job: Job): Promise<ExecuteResult> {
    let execute;
    try {
      execute = parseExecutePayload(job.data);
    } catch (error) {
      this.logger.error({ err: error, bullJobId: job.id }, 'malformed execute payload');
      throw new UnrecoverableError((error as Error).message);
    }
    const key = job.id ?? execute.jobRunId;
    this.logger.debug(
      { jobRunId: execute.jobRunId, attempt: execute.attempt, bullJobId: job.id },
      'job taken from the queue',
    );
    const active = this.active.begin(key, execute.jobRunId, execute.attempt);
    try {
      const summary = await this.runner.run(execute, {
        stop: active.stop,
        giveUp: this.giveUp.signal,
        onFinished: (succeeded, published) => this.afterFinish(execute, succeeded, published),
      });
      return {
        outcome: JobOutcome[summary.outcome] ?? 'UNSPECIFIED',
        exitCode: summary.exitCode,
        lastSeq: Number(summary.lastSeq),
      };
    } finally {
      this.active.end(key);
    }
  }
}
