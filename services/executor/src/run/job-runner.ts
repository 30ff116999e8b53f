import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@fluxi/common';
import { JobOutcome, LogLevel } from '@fluxi/contracts';
import { filesForEvent } from '../domain/artifact-report.js';
import {
  MsgIds,
  finishedEvent,
  logChunk,
  startedEvent,
  type AttemptRef,
  type ChunkLabels,
} from '../domain/messages.js';
import { classify, type Outcome } from '../domain/outcome.js';
import { OutputCapture } from '../domain/output-capture.js';
import type { ValidExecuteJob } from '../domain/payload.js';
import { SecretMasker } from '../domain/secret-masker.js';
import { EXECUTOR_DEPS, type ExecutorDeps } from '../deps.js';
import { JetStreamPublisher } from '../transport/jetstream-publisher.js';
import type { SavedAttempt } from './artifact-steps.js';
import { AttemptSteps } from './attempt-steps.js';
import { DEFAULT_PUMP_OPTIONS, LogPump } from './log-pump.js';
import { LogSpool, spoolPath } from './log-spool.js';
import { PumpOutputSink } from './output-sink.js';
import type { StopSignal } from './stop-controller.js';

export interface RunSignals {
  /** Stop this job now (user cancel, or shutdown past its grace period). */
  stop: StopSignal;
  /** Stop retrying publishes (the service is going away). */
  giveUp: AbortSignal;
  /**
   * When the `finished` event is being published (`published`: its acknowledgement), before the work
   * folder goes: the fast path's successors, enqueued once it is acknowledged if the attempt succeeded.
   */
  onFinished?: (succeeded: boolean, published: Promise<void>) => Promise<unknown>;
}

export interface RunSummary extends Outcome {
  lastSeq: bigint;
}

/**
 * Runs one attempt: `started`, the attempt's steps with their output pumped into
 * log chunks (standard output also kept as the job's context), then `finished`
 * once every chunk is acknowledged, then the work folder deleted (the slot is held until then,
 * so deletions stay within the executor's concurrency). While NATS is away the lines wait in
 * memory, then in a spool file, before the job's output is paused (see LogPump).
 */
@Injectable()
export class JobRunner {
  private readonly logger: Logger;

  constructor(
    @Inject(EXECUTOR_DEPS) private readonly deps: ExecutorDeps,
    @Inject(JetStreamPublisher) private readonly publisher: JetStreamPublisher,
    @Inject(AttemptSteps) private readonly steps: AttemptSteps,
  ) {
    this.logger = deps.logger.child({ component: 'runner' });
  }

  async run(execute: ValidExecuteJob, signals: RunSignals): Promise<RunSummary> {
    const after: (() => Promise<void>)[] = [];
    try {
      return await this.attempt(execute, signals, (task) => after.push(task));
    } finally {
      // Once the finished event is out (or could not be): the work folder's deletion.
      for (const task of after) {
        await task().catch((error: unknown) =>
          this.logger.warn({ jobRunId: execute.jobRunId, err: error }, 'could not delete the work folder'),
        );
      }
    }
  }

  private async attempt(
    execute: ValidExecuteJob,
    signals: RunSignals,
    afterFinish: (task: () => Promise<void>) => void,
  ): Promise<RunSummary> {
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
        // Lines go out behind the started event on the connection, without waiting for its
        // acknowledgement: a job's first line is not held back by it. One that never comes
        // fails the attempt all the same (publishStarted is awaited before the finished event).
        gate.resolve();
      }
      return started;
    };
    const { dataDir, executor } = this.deps.config;
    // Lines NATS cannot take yet wait on disk past what memory holds (see LogPump).
    const spool =
      executor.logSpoolMaxBytes > 0
        ? new LogSpool(spoolPath(dataDir, ref.jobRunId, ref.attempt), executor.logSpoolMaxBytes)
        : undefined;
    // Every chunk says whose lines these are, for the log store's search filters and retention.
    const labels: ChunkLabels = {
      pipelineId: execute.pipelineId,
      jobId: execute.job.jobId,
      jobName: execute.job.name,
      logRetentionDays: execute.logRetentionDays,
    };
    const pump = new LogPump(
      (lines) =>
        this.publisher.publishChunk(
          logChunk(ref, lines, labels),
          MsgIds.chunk(ref, lines[0]?.seq ?? 0n),
          signals.giveUp,
        ),
      gate.promise,
      { ...DEFAULT_PUMP_OPTIONS, maxAttemptBytes: executor.maxLogBytesPerAttempt },
      spool,
    );
    const capture = new OutputCapture(this.deps.config.contexts.maxBytes);
    // Every line, the captured output and the reason leave masked once the job's secrets are known.
    const masker = new SecretMasker();
    const output = new PumpOutputSink(pump, capture, executor.maxLineBytes, masker);
    logger.info({ image: execute.job.image }, 'job run started');
    let ended: SavedAttempt;
    try {
      ended = await this.steps.run(execute, ref, {
        output,
        onStarted: (pid) => void publishStarted(pid),
        stop: signals.stop,
        masker,
        afterFinish,
      });
    } catch (error) {
      const reason = masker.maskText(`executor error: ${(error as Error).message}`);
      logger.error({ reason }, 'attempt failed in the executor');
      output.system(reason, LogLevel.ERROR);
      ended = { result: { kind: 'infrastructure', reason }, artifacts: [] };
    }
    output.close();
    if (capture.cut) {
      output.system(
        `context cut at ${capture.keptBytes} of ${capture.totalBytes} bytes of standard output`,
        LogLevel.WARN,
      );
    }
    const artifacts = filesForEvent(ended.artifacts);
    if (artifacts.cut) {
      output.system(
        `the finished event lists ${artifacts.listed.length} of ${ended.artifacts.length} artifact files; all are saved`,
      );
    }
    await publishStarted(0);
    const lastSeq = await pump.finish();
    if (pump.dropped.lines > 0) {
      logger.warn(
        { droppedLines: pump.dropped.lines, droppedBytes: pump.dropped.bytes, cap: executor.maxLogBytesPerAttempt },
        'the job printed more log than executor.maxLogBytesPerAttempt: the rest was not stored',
      );
    }
    if (spool?.failure !== undefined) {
      logger.warn({ reason: spool.failure }, 'the log spool failed: the job output was paused instead');
    }
    const classified = classify(ended.result);
    const outcome = { ...classified, reason: masker.maskText(classified.reason) };
    const event = finishedEvent(ref, outcome, lastSeq, Date.now(), {
      output: capture.bytes(),
      outputBytes: capture.totalBytes,
      artifacts: artifacts.listed,
    });
    const published = this.publisher.publishEvent(event, MsgIds.finished(ref), signals.giveUp);
    const successors = signals.onFinished?.(outcome.outcome === JobOutcome.SUCCESS, published);
    await published;
    await successors;
    logger.info(
      {
        outcome: JobOutcome[outcome.outcome],
        exitCode: outcome.exitCode,
        reason: outcome.reason,
        lastSeq: Number(lastSeq),
        outputBytes: capture.totalBytes,
        artifacts: ended.artifacts.length,
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
