import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Streams } from '@fluxi/contracts';
import { startDurableConsumer, type DurableConsumer, type JsMsg, type Nats } from '@fluxi/messaging';
import type { FluxiConfig, Logger } from '@fluxi/common';
import { LogStore } from '../store/log-store.js';
import { linesFromMessages } from './chunk-batch.js';
import { LogsMetrics } from './logs-metrics.js';
import { StreamTrim } from './stream-trim.js';
import { LOGGER, LOGS_CONFIG, NATS } from './tokens.js';

/** Durable consumer name on FLUXI_LOGS: the logs service's position in the stream. */
export const LOGS_DURABLE = 'logs-writer';

/** Least time between two removals of the stored chunks from the stream (see StreamTrim). */
const TRIM_EVERY_MS = 1000;

/**
 * Moves log chunks from JetStream into the store: one insert per batch, and the
 * batch is acked only after the insert returned, so a chunk is never lost,
 * at worst written twice (the store's reads drop the copies). Acked chunks are
 * then removed from the stream, which so holds only what is not stored yet.
 */
@Injectable()
export class LogIngestor implements OnApplicationBootstrap, OnModuleDestroy {
  private consumer: DurableConsumer | undefined;
  private readonly trimmer: StreamTrim;

  constructor(
    @Inject(NATS) private readonly nats: Nats,
    private readonly store: LogStore,
    @Inject(LOGS_CONFIG) private readonly config: FluxiConfig['logs'],
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: LogsMetrics,
  ) {
    this.trimmer = new StreamTrim(nats, {
      stream: Streams.logs.name,
      durable: LOGS_DURABLE,
      everyMs: TRIM_EVERY_MS,
      logger,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = await startDurableConsumer(this.nats, {
      stream: Streams.logs.name,
      durable: LOGS_DURABLE,
      batchSize: this.config.batchSize,
      maxWaitMs: this.config.flushMs,
      handle: (messages) => this.write(messages),
      logger: this.logger,
    });
  }

  async onModuleDestroy(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.stop();
    await this.trimmer.stop();
  }

  private async write(messages: JsMsg[]): Promise<void> {
    const batch = linesFromMessages(messages, this.logger, this.config.retentionDays);
    const end = this.metrics.insertDuration.startTimer();
    await this.store.insertLines(batch.chunks, batch.rows);
    end();
    this.metrics.linesIngested.inc(batch.lines);
    // The batch is acked once this returns: the trim that follows sees it acked.
    this.trimmer.handled();
    this.logger.debug({ messages: messages.length, lines: batch.lines }, 'log lines written');
  }
}
