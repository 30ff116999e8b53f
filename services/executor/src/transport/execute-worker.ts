import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from '@fluxi/common';
import { JobOutcome, executeQueueName } from '@fluxi/contracts';
import { redisConnection } from '@fluxi/messaging';
import { parseExecutePayload } from '../domain/payload.js';
import { EXECUTOR_DEPS, type ExecutorDeps } from '../deps.js';
import { JobRunner } from '../run/job-runner.js';

/** What a completed BullMQ `execute` job returns (kept small: it is stored in Redis). */
export interface ExecuteResult {
  outcome: string;
  exitCode: number;
  lastSeq: number;
}

interface ActiveJob {
  jobRunId: string;
  cancel: AbortController;
}

/**
 * The BullMQ worker of this executor's pool. Each job is validated on arrival
 * and run by the JobRunner; stop() lets running jobs finish, then kills them.
 */
@Injectable()
export class ExecuteWorker implements OnApplicationBootstrap {
  private worker: Worker | undefined;
  private readonly active = new Map<string, ActiveJob>();
  private readonly giveUp = new AbortController();
  private readonly logger: Logger;
  private stopping: Promise<void> | undefined;

  constructor(
    @Inject(EXECUTOR_DEPS) private readonly deps: ExecutorDeps,
    @Inject(JobRunner) private readonly runner: JobRunner,
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
    return [...this.active.values()].map((job) => job.jobRunId);
  }

  /**
   * Takes no new job; waits up to shutdownGraceMs for running ones, then kills
   * their process groups and waits up to publishGraceMs for their finish events.
   */
  shutdown(): Promise<void> {
    this.stopping ??= this.closeWorker();
    return this.stopping;
  }

  private async closeWorker(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    const closing = worker.close();
    const closedInGrace = await settlesWithin(closing, this.deps.shutdownGraceMs);
    if (!closedInGrace && this.active.size > 0) {
      this.logger.warn({ jobRuns: this.activeJobs() }, 'jobs still running after the shutdown grace: stopping them');
      for (const job of this.active.values()) job.cancel.abort();
      if (!(await settlesWithin(closing, this.deps.publishGraceMs))) {
        this.logger.error({ jobRuns: this.activeJobs() }, 'could not publish the finish of stopped jobs: giving up');
        this.giveUp.abort();
      }
    }
    await closing;
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
    const active: ActiveJob = { jobRunId: execute.jobRunId, cancel: new AbortController() };
    this.active.set(key, active);
    try {
      const summary = await this.runner.run(execute, { cancel: active.cancel.signal, giveUp: this.giveUp.signal });
      return {
        outcome: JobOutcome[summary.outcome] ?? 'UNSPECIFIED',
        exitCode: summary.exitCode,
        lastSeq: Number(summary.lastSeq),
      };
    } finally {
      this.active.delete(key);
    }
  }
}

/** Whether `promise` settles within `ms` (its own failure is left to its awaiter). */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const settled = () => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(settled, settled);
  });
}
