import type { Logger } from '@fluxi/common';
import { RunEventSchema, Streams } from '@fluxi/contracts';
import { decode, startDurableConsumer, type DurableConsumer, type JsMsg, type Nats } from '@fluxi/messaging';
import { occurrencesOf, type NotificationOccurrence } from '../domain/events.js';
import type { NotificationRecorder } from '../recorder.js';
import { errorSummary } from '../../domain/error-summary.js';

/** Durable consumer name on FLUXI_EVENTS: the notifications' position in the run events. */
export const NOTIFICATIONS_DURABLE = 'scheduler-notifications';

/**
 * Feeds run events (`fluxi.events.run.>`) to the recorder; a batch is acked once its deliveries are
 * written (at-least-once: a repeat writes nothing, deliveries are unique per subscription and event).
 * Only writes to the outbox: sending is the delivery loop's, so a slow receiver never holds this back.
 */
export function startRunEventIngestor(
  nats: Nats,
  recorder: NotificationRecorder,
  logger: Logger,
): Promise<DurableConsumer> {
  return startDurableConsumer(nats, {
    stream: Streams.events.name,
    durable: NOTIFICATIONS_DURABLE,
    filterSubject: 'fluxi.events.run.>',
    batchSize: 100,
    maxWaitMs: 20,
    logger,
    handle: async (messages: JsMsg[]) => {
      // No subscription: nothing to deliver, so the events are not even decoded (every run event passes here).
      if (!(await recorder.listening())) return;
      const occurrences: NotificationOccurrence[] = [];
      for (const message of messages) {
        try {
          occurrences.push(...occurrencesOf(decode(RunEventSchema, message.data)));
        } catch (error) {
          // Every delivery would fail the same way: skip it.
          logger.warn(
            { err: errorSummary(error), streamSeq: message.seq },
            'skipping an undecodable run event (notifications)',
          );
        }
      }
      await recorder.record(occurrences);
    },
  });
}
