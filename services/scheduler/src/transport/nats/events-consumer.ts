import type { Logger } from '@fluxi/common';
import { JobRunEventSchema, Streams, type JobRunEvent } from '@fluxi/contracts';
import { decode, startDurableConsumer, type DurableConsumer, type JsMsg, type Nats } from '@fluxi/messaging';
import { errorSummary, shortErrorMessage } from '../../domain/error-summary.js';
import type { AdvanceSystem } from '../../engine/systems/advance.js';
import type { DeadLetterSystem } from '../../engine/systems/dead-letters.js';

export const ADVANCE_DURABLE = 'scheduler-advance';

/**
 * Events are applied in arrival order, those of one run in one transaction per batch.
 * A batch is what has arrived, without waiting for more: a run's next job is not held
 * back, and under load the events that arrive while a batch is applied form the next one.
 */
const BATCH_SIZE = 100;
const MAX_WAIT_MS = 0;
/**
 * A batch of only `started` events waits this long for a `finished` one, and goes with it: a start
 * changes nothing that waits on it (it shows RUNNING), and a short job's start and end, or a chain
 * step's end and the next job's start, then cost one transaction instead of two.
 */
const STARTED_HOLD_MS = 50;

/** Whether a message is a `started` event (an undecodable one is not held). */
function isStarted(message: JsMsg): boolean {
  try {
    return decode(JobRunEventSchema, message.data).kind.case === 'started';
  } catch {
    return false;
  }
}

export interface EventsConsumerOptions {
  /** Deliveries of an event that fails to be applied before it is dead-lettered. */
  readonly maxDeliveries: number;
  readonly deadLetters: Pick<DeadLetterSystem, 'handle'>;
}

/**
 * Feeds JobRunEvents from JetStream (durable `scheduler-advance`) to the advance
 * system. A message is acked once applied or ignored. When applying a batch fails, its
 * events are applied one at a time, so one that cannot be stored does not hold back the
 * others; a failing one comes again (applying is idempotent) and, once it has failed
 * `maxDeliveries` deliveries, is dead-lettered: recorded, terminated, and its attempt
 * ended FAILED (infrastructure). Events that arrived while the scheduler was down are
 * consumed when it starts.
 */
export function startEventsConsumer(
  nats: Nats,
  advance: AdvanceSystem,
  logger: Logger,
  options: EventsConsumerOptions,
): Promise<DurableConsumer> {
  return startDurableConsumer(nats, {
    stream: Streams.events.name,
    durable: ADVANCE_DURABLE,
    filterSubject: 'fluxi.events.jobrun.>',
    batchSize: BATCH_SIZE,
    maxWaitMs: MAX_WAIT_MS,
    holds: isStarted,
    holdMs: STARTED_HOLD_MS,
    maxDeliveries: options.maxDeliveries,
    logger,
    handle: async (messages: JsMsg[]) => {
      const events: JobRunEvent[] = [];
      for (const message of messages) {
        try {
          events.push(decode(JobRunEventSchema, message.data));
        } catch (error) {
          // A message this build cannot read would block the consumer for ever: drop it, loudly.
          logger.error(
            { err: errorSummary(error), subject: message.subject, seq: message.seq },
            'undecodable job run event dropped',
          );
        }
      }
      // A run's events of the batch in one transaction each; a failure gives each message a try of its own.
      await advance.applyAll(events);
    },
    onDeadLetter: async (message, error, failed) => {
      const event = decodeOrUndefined(message);
      await options.deadLetters.handle({
        stream: Streams.events.name,
        subject: message.subject,
        streamSeq: message.seq,
        jobRunId: event?.jobRunId ?? null,
        attempt: event?.attempt ?? null,
        error: shortErrorMessage(error),
        firstFailedAt: failed.firstFailedAt,
        deliveries: failed.deliveries,
      });
    },
  });
}

function decodeOrUndefined(message: JsMsg) {
  try {
    return decode(JobRunEventSchema, message.data);
  } catch {
    return undefined;
  }
}
