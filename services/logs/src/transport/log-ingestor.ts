import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Streams } from '@fluxi/contracts';
import { startDurableConsumer, type DurableConsumer, type JsMsg, type Nats } from '@fluxi/messaging';
import type { FluxiConfig, Logger } from '@fluxi/common';
import { LogStore } from '../store/log-store.js';
import { linesBody, type LinesBody } from '../store/tsv-rows.js';
import { linesFromMessages } from './chunk-batch.js';
import { LogsMetrics } from './logs-metrics.js';
import { StoredChunkRemoval } from './stored-chunks.js';
import { LOGGER, LOGS_CONFIG, NATS } from './tokens.js';

/** Durable consumer name on FLUXI_LOGS: the logs service's position in the stream. */
export const LOGS_DURABLE = 'logs-writer';

/** How long a stored chunk stays on the stream (see StoredChunkRemoval). */
const REMOVE_AFTER_MS = 1000;

/** A batch read and encoded for its insert. */
interface PreparedBatch {
  body: LinesBody;
  lines: number;
}

/**
 * Moves log chunks from JetStream into the store: one insert per batch, and the
 * batch is acked only after the insert returned, so a chunk is never lost,
 * at worst written twice (the store's reads drop the copies). Stored chunks are then
 * removed from the stream one by one (StoredChunkRemoval): purging it below this
 * consumer's ack floor was tried and lost the chunks in flight when the service was
 * killed (test/chaos/split-logs.test.ts; most likely the purge moved the consumer past
 * its unacknowledged deliveries). The next batch is read and encoded while one is being
 * inserted (the insert runs on chDB's or the HTTP client's side, off this thread).
 */
@Injectable()
export class LogIngestor implements OnApplicationBootstrap, OnModuleDestroy {
  private consumer: DurableConsumer | undefined;
  private readonly removal: StoredChunkRemoval;
  /** Batches encoded ahead by the consumer (`prepare`), until handled. */
  private readonly prepared = new WeakMap<JsMsg[], PreparedBatch>();

  constructor(
    @Inject(NATS) private readonly nats: Nats,
    private readonly store: LogStore,
    @Inject(LOGS_CONFIG) private readonly config: FluxiConfig['logs'],
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: LogsMetrics,
  ) {
    this.removal = new StoredChunkRemoval(nats, { stream: Streams.logs.name, delayMs: REMOVE_AFTER_MS, logger });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = await startDurableConsumer(this.nats, {
      stream: Streams.logs.name,
      durable: LOGS_DURABLE,
      batchSize: this.config.batchSize,
      maxWaitMs: this.config.flushMs,
      handle: (messages) => this.write(messages),
      prepare: (messages) => void this.prepared.set(messages, this.encode(messages)),
      logger: this.logger,
    });
  }

  async onModuleDestroy(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.stop();
    await this.removal.stop();
  }

  private encode(messages: JsMsg[]): PreparedBatch {
    const batch = linesFromMessages(messages, this.logger, this.config.retentionDays);
    return { body: linesBody(batch.chunks, batch.rows), lines: batch.lines };
  }

  private async write(messages: JsMsg[]): Promise<void> {
    // A batch handled again message by message (after a failure) is encoded again.
    const batch = this.prepared.get(messages) ?? this.encode(messages);
    this.prepared.delete(messages);
    const end = this.metrics.insertDuration.startTimer();
    await this.store.insertBody(batch.body);
    end();
    this.metrics.linesIngested.inc(batch.lines);
    // Stored (a malformed chunk, terminated, goes too: it can never be stored).
    this.removal.stored(messages.map((message) => message.seq));
    this.logger.debug({ messages: messages.length, lines: batch.lines }, 'log lines written');
  }
}
