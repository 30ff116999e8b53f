import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '@fluxi/common';
import type { Nats } from './nats.js';

export interface DurableConsumerOptions {
  stream: string;
  durable: string;
  filterSubject?: string;
  /** Most messages handed to `handle` at once. */
  batchSize: number;
  /** Longest wait, after the first message of a batch, for more to fill it. */
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

const TIMEOUT = Symbol('timeout');

/**
 * A durable pull consumer: at-least-once, in order, acked only after the handler
 * has done its work, so nothing is lost when the service is down: it catches up.
 * Messages stream in continuously; a batch is handed over when it is full or
 * `maxWaitMs` after its first message, whichever comes first.
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
  let current: ConsumerMessages | undefined;
  const loop = (async () => {
    while (!stopping) {
      try {
        current = await consumer.consume({ max_messages: Math.max(options.batchSize, 100) });
        await drain(current, options, () => stopping);
      } catch (error) {
        if (stopping) break;
        options.logger.warn({ err: error, durable: options.durable }, 'consumer interrupted, resuming');
        await sleep(500);
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      await current?.close();
      await loop;
    },
  };
}

async function drain(
  messages: ConsumerMessages,
  options: DurableConsumerOptions,
  stopping: () => boolean,
): Promise<void> {
  const iterator = messages[Symbol.asyncIterator]();
  let next = iterator.next();
  while (!stopping()) {
    const first = await next;
    if (first.done === true) return;
    const batch: JsMsg[] = [first.value];
    next = iterator.next();
    const deadline = Date.now() + options.maxWaitMs;
    while (batch.length < options.batchSize) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        next,
        new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), remaining))),
      ]);
      clearTimeout(timer);
      if (result === TIMEOUT || result.done === true) break;
      batch.push(result.value);
      next = iterator.next();
    }
    await handleBatch(batch, options);
  }
}

async function handleBatch(batch: JsMsg[], options: DurableConsumerOptions): Promise<void> {
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
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
