import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '@fluxi/common';
import type { Nats } from './nats.js';

export interface DurableConsumerOptions {
  stream: string;
  durable: string;
  filterSubject?: string;
  /** Most messages handed to `handle` at once. */
  batchSize: number;
  /** How long to wait to fill a batch before handling what came. */
  maxWaitMs: number;
  /** Seconds before an unacknowledged message is delivered again. */
  ackWaitSec?: number;
  /**
   * Handles a batch. Messages are acked after it resolves; when it throws, none is
   * acked and the batch is delivered again after a pause.
   */
  handle: (messages: JsMsg[]) => Promise<void>;
  logger: Logger;
}

export interface DurableConsumer {
  stop(): Promise<void>;
}

/**
 * A durable pull consumer: at-least-once, in order, acked only after the handler
 * has done its work, so nothing is lost when the service is down: it catches up.
 */
export async function startDurableConsumer(nats: Nats, options: DurableConsumerOptions): Promise<DurableConsumer> {
  const config = {
    durable_name: options.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos((options.ackWaitSec ?? 30) * 1000),
    max_ack_pending: Math.max(options.batchSize * 2, 1000),
    ...(options.filterSubject === undefined ? {} : { filter_subject: options.filterSubject }),
  };
  try {
    await nats.jsm.consumers.info(options.stream, options.durable);
  } catch {
    await nats.jsm.consumers.add(options.stream, config);
  }
  const consumer = await nats.js.consumers.get(options.stream, options.durable);
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      let batch: JsMsg[] = [];
      try {
        const messages = await consumer.fetch({ max_messages: options.batchSize, expires: options.maxWaitMs });
        for await (const msg of messages) batch.push(msg);
      } catch (error) {
        if (stopping) break;
        options.logger.warn({ err: error, durable: options.durable }, 'fetch failed, retrying');
        await sleep(500);
        continue;
      }
      if (batch.length === 0) continue;
      try {
        await options.handle(batch);
        for (const msg of batch) msg.ack();
      } catch (error) {
        options.logger.error(
          { err: error, durable: options.durable, count: batch.length },
          'batch handling failed, will redeliver',
        );
        for (const msg of batch) msg.nak(1000);
        await sleep(1000);
      }
      batch = [];
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
