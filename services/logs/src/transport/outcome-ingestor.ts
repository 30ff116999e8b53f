import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { JobRunEventSchema, Streams } from '@fluxi/contracts';
import { decode, startDurableConsumer, type DurableConsumer, type JsMsg, type Nats } from '@fluxi/messaging';
import type { FluxiConfig, Logger } from '@fluxi/common';
import { outcomeOf } from '../domain/attempt-outcome.js';
import type { AttemptOutcome } from '../store/log-store.js';
import { LogStore } from '../store/log-store.js';
import { LOGGER, LOGS_CONFIG, NATS } from './tokens.js';

/** Durable consumer name on FLUXI_EVENTS: the logs service's position in the job run events. */
export const OUTCOMES_DURABLE = 'logs-outcomes';

/**
 * Records the outcome of every finished attempt (from the executors' `finished` events
 * on FLUXI_EVENTS) for the search's status filter; acked after the insert, a repeat
 * replaces the same row. Attempts the scheduler ends without an executor's event (lost
 * executor) have no outcome here.
 */
@Injectable()
export class OutcomeIngestor implements OnApplicationBootstrap, OnModuleDestroy {
  private consumer: DurableConsumer | undefined;

  constructor(
    @Inject(NATS) private readonly nats: Nats,
    private readonly store: LogStore,
    @Inject(LOGS_CONFIG) private readonly config: FluxiConfig['logs'],
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = await startDurableConsumer(this.nats, {
      stream: Streams.events.name,
      durable: OUTCOMES_DURABLE,
      filterSubject: 'fluxi.events.jobrun.>',
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
  }

  private async write(messages: JsMsg[]): Promise<void> {
    const outcomes: AttemptOutcome[] = [];
    for (const message of messages) {
      try {
        const outcome = outcomeOf(decode(JobRunEventSchema, message.data));
        if (outcome !== undefined) outcomes.push(outcome);
      } catch (error) {
        // Every delivery would fail the same way: skip it (the scheduler says the same, louder).
        this.logger.warn({ err: error, streamSeq: message.seq }, 'skipping an undecodable job run event');
      }
    }
    await this.store.recordOutcomes(outcomes);
  }
}
