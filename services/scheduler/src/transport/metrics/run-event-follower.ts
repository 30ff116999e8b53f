import type { Logger } from '@fluxi/common';
import { RunEventSchema, Streams, Subjects, type RunEvent } from '@fluxi/contracts';
import { decode, followStream, type Nats, type StreamFollower } from '@fluxi/messaging';

/**
 * Reads every run event published from now on (`fluxi.events.run.>` on FLUXI_EVENTS, an
 * ordered consumer: no acks, nothing kept on the server) and hands it to `metrics`. Each
 * scheduler replica reads them all, so with several replicas these metrics are aggregated
 * with `max` across instances, not `sum`.
 */
export async function followRunEventsForMetrics(
  nats: Nats,
  metrics: { observe(event: RunEvent): Promise<void> },
  logger: Logger,
): Promise<StreamFollower> {
  // One event at a time, in stream order (an observation may wait for a run's name).
  let chain = Promise.resolve();
  return followStream(
    nats,
    Streams.events.name,
    (message) => {
      let event: RunEvent;
      try {
        event = decode(RunEventSchema, message.data);
      } catch (error) {
        logger.debug({ err: error, subject: message.subject }, 'metrics skipped an unreadable run event');
        return;
      }
      chain = chain
        .then(() => metrics.observe(event))
        .catch((error: unknown) => logger.warn({ err: error }, 'metrics could not read a run event'));
    },
    logger,
    { filterSubject: Subjects.runEvent('*') },
  );
}
