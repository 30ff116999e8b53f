import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { settlesWithin, type Logger, type StopOptions } from '@fluxi/common';
import { JobOutcome, executeQueueName } from '@fluxi/contracts';
import { redisConnection } from '@fluxi/messaging';
import { parseExecutePayload } from '../domain/payload.js';
import { EXECUTOR_DEPS, type ExecutorDeps } from '../deps.js';
import { ActiveAttempts } from '../run/active-attempts.js';
import { JobRunner } from '../run/job-runner.js';

/** What a completed BullMQ `execute` job returns (kept small: it is stored in Redis). */
export interface ExecuteResult {
  outcome: string;
  exitCode: number;
  lastSeq: number;
}

/** How long an orphaned executor waits for its worker to close once it gave up publishing. */
const ORPHANED_CLOSE_MS = 2000;

/** The reason of attempts stopped because the executor stops. */
export const EXECUTOR_STOPPED_REASON = 'executor stopped while the job was running';

/**
 * The BullMQ worker of this executor's pool. Each job is validated on arrival
 * and run by the JobRunner; stop() lets running jobs finish, then kills them.
 */
@Injectable()
export class ExecuteWorker implements OnApplicationBootstrap {
  private worker: Worker | undefined;
  private readonly giveUp = new AbortController();
  private readonly logger: Logger;
  private stopping: Promise<void> | undefined;

  constructor(
    @Inject(EXECUTOR_DEPS) private readonly deps: ExecutorDeps,
    @Inject(JobRunner) private readonly runner: JobRunner,
    @Inject(ActiveAttempts) private readonly active: ActiveAttempts,
  ) {
    this.logger = deps.logger.child({ component: 'worker' });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config } = this.deps;
    const queue = executeQueueName(config.executor.pool);
    const worker = new Worker(queue, (job: Job) => this.process(job), {
      connection: redisConnection(this.deps.redisUrl),
      prefix: config.redis.prefix,
      concurrency: config.executor.concurrency,
      name: this.deps.executorId,
    });
    worker.on('error', (error) => this.logger.error({ err: error }, 'worker error'));
    worker.on('failed', (job, error) => this.logger.error({ err: error, bullJobId: job?.id }, 'execute job failed'));
    this.worker = worker;
    await worker.waitUntilReady();
    this.logger.info(
      { queue, concurrency: config.executor.concurrency, executorId: this.deps.executorId },
      'executor ready',
    );
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
      const summary = await this.runner.run(execute, { stop: active.stop, giveUp: this.giveUp.signal });
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
