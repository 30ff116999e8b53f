import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '@fluxi/common';
import type { Nats } from './nats.js';

/** How a message that is being dead-lettered failed. */
export interface FailedDeliveries {
  /** Deliveries so far (JetStream's count), each of which failed. */
  deliveries: number;
  /** When this consumer first saw it fail (the time of this failure when that was before a restart). */
  firstFailedAt: Date;
}

export interface DurableConsumerOptions {
  stream: string;
  durable: string;
  filterSubject?: string;
  /** Most messages handed to `handle` at once. */
  batchSize: number;
  /**
   * Longest wait, after the first message of a batch, for more to fill it. 0: no wait, the
   * batch is what has arrived (while a batch is handled, the next one gathers by itself).
   */
  maxWaitMs: number;
  /**
   * A batch whose every message `holds` waits up to `holdMs` after its first message for one
   * that does not, and is then handled at once with everything that came meanwhile: messages
   * that cost a handling of their own and change nothing urgent ride along with the next urgent
   * one (or go after `holdMs`). Without `holds`, nothing is held.
   */
  holds?: (message: JsMsg) => boolean;
  holdMs?: number;
  /** Seconds before an unacknowledged message is delivered again. */
  ackWaitSec?: number;
  /** Where a consumer created now starts: every message the stream holds (default), or those stored from now on. */
  deliverPolicy?: 'all' | 'new';
  /**
   * Handles a batch. Messages are acked after it resolves. When it throws, each message
   * of the batch is handed to it again alone, so one failing message does not hold back
   * the others: those that pass are acked, a failing one is delivered again after a pause
   * (doubling at each delivery), or dead-lettered. Handling must be idempotent.
   */
  handle: (messages: JsMsg[]) => Promise<void>;
  /**
   * When given, the next batch is gathered while one is handled, and passed to this at once:
   * CPU work for it (decoding, encoding) that `handle` may find ready, overlapping the I/O of
   * the batch before. Batches are still handled one at a time, in order. Without it, a batch
   * is gathered only once the one before is settled.
   */
  prepare?: (messages: JsMsg[]) => void;
  /**
   * Called for a message whose `maxDeliveries`-th delivery failed too: record it and
   * settle what it concerns. The message is then terminated (never delivered again).
   * When this throws, the message is delivered again later. Without it, a failing
   * message is delivered again for ever.
   */
  onDeadLetter?: (message: JsMsg, error: unknown, failed: FailedDeliveries) => Promise<void>;
  /** Deliveries of a failing message before `onDeadLetter`; default 5. */
  maxDeliveries?: number;
  /** Pause before a failed message is delivered again, doubled at each delivery up to 30 s; default 1000. */
  redeliveryDelayMs?: number;
  logger: Logger;
}

export interface DurableConsumer {
  stop(): Promise<void>;
}

const TIMEOUT = Symbol('timeout');
const DEFAULT_MAX_DELIVERIES = 5;
const DEFAULT_REDELIVERY_DELAY_MS = 1000;
const MAX_REDELIVERY_DELAY_MS = 30_000;
/** Failing messages whose first failure time is remembered (the oldest are forgotten first). */
const MAX_REMEMBERED_FAILURES = 10_000;
/** Messages of a failed batch failing alone, none passing, after which the rest are not tried. */
const SYSTEMIC_FAILURES = 3;
/** Longest error message in a log line: a handler's error may quote the data it failed on. */
const MAX_LOGGED_ERROR = 300;

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
    deliver_policy: options.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
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
  const handler = new BatchHandler(options);
  let stopping = false;
  let current: ConsumerMessages | undefined;
  const loop = (async () => {
    while (!stopping) {
      try {
        current = await consumer.consume({ max_messages: Math.max(options.batchSize, 100) });
        await drain(current, options, handler, () => stopping);
      } catch (error) {
        if (stopping) break;
        options.logger.warn({ err: briefError(error), durable: options.durable }, 'consumer interrupted, resuming');
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
  handler: BatchHandler,
  stopping: () => boolean,
): Promise<void> {
  const iterator = messages[Symbol.asyncIterator]();
  let next = iterator.next();
  /** The batch being handled while the next one gathers (only with `prepare`). */
  let handling: Promise<void> | undefined;
  try {
    while (!stopping()) {
      const first = await next;
      if (first.done === true) return;
      const batch: JsMsg[] = [first.value];
      next = iterator.next();
      const arrived = Date.now();
      const holds = options.holds;
      let held = holds !== undefined && holds(first.value);
      while (batch.length < options.batchSize) {
        // Past the deadline (at once with maxWaitMs 0), only what has already arrived joins the batch.
        const wait = timeout(arrived + (held ? (options.holdMs ?? 0) : options.maxWaitMs) - Date.now());
        const result = await Promise.race([next, wait.reached]);
        wait.cancel();
        if (result === TIMEOUT || result.done === true) break;
        batch.push(result.value);
        held = held && holds !== undefined && holds(result.value);
        next = iterator.next();
      }
      if (options.prepare === undefined) {
        await handler.handle(batch);
        continue;
      }
      options.prepare(batch);
      await handling;
      handling = handler.handle(batch);
      // Seen when awaited (next turn, or below); until then, not an unhandled rejection.
      handling.catch(() => undefined);
    }
  } finally {
    await handling;
  }
}

/**
 * Resolves TIMEOUT after `ms`; when `ms` is not positive, at the next turn of the event loop,
 * after the input read in this turn (messages that have arrived) was handed on.
 */
function timeout(ms: number): { reached: Promise<typeof TIMEOUT>; cancel(): void } {
  let cancel = () => undefined as void;
  const reached = new Promise<typeof TIMEOUT>((resolve) => {
    if (ms <= 0) {
      const immediate = setImmediate(() => resolve(TIMEOUT));
      cancel = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(() => resolve(TIMEOUT), ms);
      cancel = () => clearTimeout(timer);
    }
  });
  return { reached, cancel };
}

/** Hands batches to the handler; on failure, each message alone; settles each message (ack, nak, dead letter). */
class BatchHandler {
  /** Stream sequence → when that message first failed here. */
  private readonly failures = new Map<number, Date>();
  private readonly maxDeliveries: number;
  private readonly delayMs: number;

  constructor(private readonly options: DurableConsumerOptions) {
    this.maxDeliveries = options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES;
    this.delayMs = options.redeliveryDelayMs ?? DEFAULT_REDELIVERY_DELAY_MS;
  }

  async handle(batch: JsMsg[]): Promise<void> {
    let failed: unknown;
    try {
      await this.options.handle(batch);
      for (const msg of batch) this.ack(msg);
      return;
    } catch (error) {
      failed = error;
    }
    let allPassed = false;
    if (batch.length === 1) {
      await this.settleFailure(batch[0] as JsMsg, failed);
    } else {
      this.options.logger.warn(
        { err: briefError(failed), durable: this.options.durable, count: batch.length },
        'batch handling failed; handling its messages one by one',
      );
      allPassed = await this.handleOneByOne(batch);
    }
    // What keeps failing (a store down) is not tried again at full speed.
    if (!allPassed) await sleep(this.delayMs);
  }

  /**
   * Each message alone. When the first few all fail, the cause is not one message (the
   * store is down): the rest are delivered again later without being tried, so an outage
   * costs one attempt per batch, not one per message.
   */
  private async handleOneByOne(batch: JsMsg[]): Promise<boolean> {
    let succeeded = 0;
    let failures = 0;
    for (const [index, msg] of batch.entries()) {
      if (succeeded === 0 && failures >= SYSTEMIC_FAILURES) {
        const rest = batch.slice(index);
        this.options.logger.warn(
          { durable: this.options.durable, count: rest.length },
          `the first ${failures} messages failed alone too: delivering the rest of the batch again later`,
        );
        for (const other of rest) other.nak(this.redeliveryDelay(other.info.deliveryCount));
        return false;
      }
      try {
        await this.options.handle([msg]);
        this.ack(msg);
        succeeded += 1;
      } catch (error) {
        await this.settleFailure(msg, error);
        failures += 1;
      }
    }
    return failures === 0;
  }

  private redeliveryDelay(deliveries: number): number {
    return Math.min(this.delayMs * 2 ** Math.min(Math.max(deliveries - 1, 0), 20), MAX_REDELIVERY_DELAY_MS);
  }

  private ack(msg: JsMsg): void {
    msg.ack();
    if (this.failures.size > 0) this.failures.delete(msg.seq);
  }

  private async settleFailure(msg: JsMsg, error: unknown): Promise<void> {
    const deliveries = msg.info.deliveryCount;
    const firstFailedAt = this.firstFailure(msg.seq);
    const context = { durable: this.options.durable, subject: msg.subject, seq: msg.seq, deliveries };
    const onDeadLetter = this.options.onDeadLetter;
    const delay = this.redeliveryDelay(deliveries);
    if (onDeadLetter === undefined || deliveries < this.maxDeliveries) {
      this.options.logger.warn(
        { ...context, err: briefError(error), retryInMs: delay },
        'message handling failed, will redeliver',
      );
      msg.nak(delay);
      return;
    }
    try {
      await onDeadLetter(msg, error, { deliveries, firstFailedAt });
    } catch (deadLetterError) {
      this.options.logger.error(
        { ...context, err: briefError(deadLetterError), cause: briefError(error) },
        'could not dead-letter a message that keeps failing; it will be delivered again',
      );
      msg.nak(delay);
      return;
    }
    // No reason text: servers before 2.10.4 ignore a `+TERM` that carries one.
    msg.term();
    this.failures.delete(msg.seq);
    this.options.logger.error({ ...context, err: briefError(error) }, 'message dead-lettered: every delivery failed');
  }

  private firstFailure(seq: number): Date {
    const known = this.failures.get(seq);
    if (known !== undefined) return known;
    if (this.failures.size >= MAX_REMEMBERED_FAILURES) {
      const oldest = this.failures.keys().next();
      if (oldest.done !== true) this.failures.delete(oldest.value);
    }
    const now = new Date();
    this.failures.set(seq, now);
    return now;
  }
}

/**
 * An error as a log line may hold it: type, message cut short, code. A handler's error
 * may carry the data it failed on (a database error holds the query's parameters).
 */
function briefError(error: unknown): { type: string; message: string; code?: string | number } {
  if (!(error instanceof Error)) return { type: typeof error, message: cut(String(error)) };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name || error.constructor.name,
    message: cut(error.message),
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
  };
}

const cut = (text: string) => (text.length <= MAX_LOGGED_ERROR ? text : `${text.slice(0, MAX_LOGGED_ERROR - 1)}…`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
