import type { Logger } from '@fluxi/common';
import { JobRunEventSchema, Streams } from '@fluxi/contracts';
import { decode, startDurableConsumer, type DurableConsumer, type JsMsg, type Nats } from '@fluxi/messaging';
import type { AdvanceSystem } from '../../engine/systems/advance.js';

export const ADVANCE_DURABLE = 'scheduler-advance';

/**
 * Events are applied one by one in arrival order; a batch only saves acks round trips.
 * The wait for a batch to fill is short so a run's transitions are not delayed.
 */
const BATCH_SIZE = 100;
const MAX_WAIT_MS = 5;

/**
 * Feeds JobRunEvents from JetStream (durable `scheduler-advance`) to the advance
 * system. A message is acked once applied or ignored; a store failure naks the batch
 * so it comes again (applying is idempotent). Events that arrived while the
 * scheduler was down are consumed when it starts.
 */
export function startEventsConsumer(nats: Nats, advance: AdvanceSystem, logger: Logger): Promise<DurableConsumer> {
  return startDurableConsumer(nats, {
    stream: Streams.events.name,
    durable: ADVANCE_DURABLE,
    filterSubject: 'fluxi.events.jobrun.>',
    batchSize: BATCH_SIZE,
    maxWaitMs: MAX_WAIT_MS,
    logger,
    handle: async (messages: JsMsg[]) => {
      for (const message of messages) {
        let event;
        try {
          event = decode(JobRunEventSchema, message.data);
        } catch (error) {
          // A message this build cannot read would block the consumer for ever: drop it, loudly.
          logger.error({ err: error, subject: message.subject, seq: message.seq }, 'undecodable job run event dropped');
          continue;
        }
        await advance.apply(event);
      }
    },
  });
}
