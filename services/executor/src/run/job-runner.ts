import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@fluxi/common';
import { JobOutcome } from '@fluxi/contracts';
import { MsgIds, finishedEvent, logChunk, startedEvent, type AttemptRef } from '../domain/messages.js';
import { classify, effectiveTimeoutSec, type DriverResult, type Outcome } from '../domain/outcome.js';
import type { ValidExecuteJob } from '../domain/payload.js';
import { DRIVERS, EXECUTOR_DEPS, type DriverSet, type ExecutorDeps } from '../deps.js';
import type { DriverTask } from '../drivers/driver.js';
import { JetStreamPublisher } from '../transport/jetstream-publisher.js';
import { LogPump } from './log-pump.js';
import { PumpOutputSink } from './output-sink.js';

export interface RunSignals {
  /** Stop this job now (shutdown past its grace period). */
  cancel: AbortSignal;
  /** Stop retrying publishes (the service is going away). */
  giveUp: AbortSignal;
}

export interface RunSummary extends Outcome {
  lastSeq: bigint;
}

/**
 * Runs one attempt: `started`, the driver with its output pumped into log chunks,
 * then `finished` once every chunk is acknowledged.
 */
@Injectable()
export class JobRunner {
  private readonly logger: Logger;

  constructor(
    @Inject(EXECUTOR_DEPS) private readonly deps: ExecutorDeps,
    @Inject(JetStreamPublisher) private readonly publisher: JetStreamPublisher,
    @Inject(DRIVERS) private readonly drivers: DriverSet,
  ) {
    this.logger = deps.logger.child({ component: 'runner' });
  }

  async run(execute: ValidExecuteJob, signals: RunSignals): Promise<RunSummary> {
    const ref: AttemptRef = {
      jobRunId: execute.jobRunId,
      pipelineRunId: execute.pipelineRunId,
      attempt: execute.attempt,
    };
    const logger = this.logger.child(ref);
    const gate = deferred();
    let started: Promise<void> | undefined;
    const publishStarted = (pid: number): Promise<void> => {
      if (started === undefined) {
        const event = startedEvent(ref, this.deps.executorId, pid, Date.now());
        started = this.publisher.publishEvent(event, MsgIds.started(ref), signals.giveUp);
        started.then(gate.resolve, gate.reject);
      }
      return started;
    };
    const pump = new LogPump(
      (lines) =>
        this.publisher.publishChunk(logChunk(ref, lines), MsgIds.chunk(ref, lines[0]?.seq ?? 0n), signals.giveUp),
      gate.promise,
    );
    const output = new PumpOutputSink(pump);
    const job = execute.job;
    const driver = job.image === '' ? this.drivers.shell : this.drivers.docker;
    const task: DriverTask = {
      ...ref,
      command: job.command,
      image: job.image,
      env: { ...job.env },
      workdir: job.workdir,
      timeoutSec: effectiveTimeoutSec(job.timeoutSec, this.deps.config.executor.defaultTimeoutSec),
    };
    logger.info({ driver: driver.name }, 'job run started');
    let result: DriverResult;
    try {
      result = await driver.run(task, { output, onStarted: (pid) => void publishStarted(pid), cancel: signals.cancel });
    } catch (error) {
      logger.error({ err: error }, 'driver failed');
      const reason = `executor error: ${(error as Error).message}`;
      output.system(reason);
      result = { kind: 'infrastructure', reason };
    }
    output.close();
    await publishStarted(0);
    const lastSeq = await pump.finish();
    const outcome = classify(result);
    await this.publisher.publishEvent(
      finishedEvent(ref, outcome, lastSeq, Date.now()),
      MsgIds.finished(ref),
      signals.giveUp,
    );
    logger.info(
      {
        outcome: JobOutcome[outcome.outcome],
        exitCode: outcome.exitCode,
        reason: outcome.reason,
        lastSeq: Number(lastSeq),
      },
      'job run finished',
    );
    return { ...outcome, lastSeq };
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
