import type { DocumentNode } from 'graphql';
import type { FluxiConfig, Logger } from '@fluxi/common';
import type { Database } from '@fluxi/db';
import type { Resolvers } from '@fluxi/graphql';
import type { Nats } from '@fluxi/messaging';
import type { FireRecord } from '../domain/fire-records.js';
import { deadLetterOccurrence, scheduleFireFailures, type DeadLetterFacts } from './domain/system-events.js';
import { NotificationRecorder } from './recorder.js';
import { DeliveryStore } from './store/delivery-store.js';
import { NatsSubscriptionSource, type SubscriptionSource } from './transport/catalog-subscriptions.js';
import { DeliveryLoop } from './transport/delivery-loop.js';
import { notificationDeliveryResolvers, notificationDeliveryTypeDefs } from './transport/delivery-graphql.js';
import { fetchSender, type Sender } from './transport/http-sender.js';
import { startRunEventIngestor } from './transport/run-event-ingestor.js';

export interface Notifications {
  /** The delivery log and redelivery, for the scheduler's subgraph. */
  readonly graphql: { typeDefs: DocumentNode; resolvers: Resolvers };
  /** Fire records just written: a fire that could not start a target is notified. */
  scheduleFiresRecorded(records: readonly FireRecord[], nameOf: (scheduleId: string) => string | undefined): void;
  /** An executor event was dead-lettered. */
  deadLettered(letter: DeadLetterFacts): void;
  stop(): Promise<void>;
}

/**
 * Outgoing webhooks: run events (durable consumer) and the scheduler's own failures become deliveries
 * in the scheduler's database, sent by the delivery loop. With `notifications.enabled` false only the
 * delivery log is served.
 */
export async function startNotifications(deps: {
  nats: Nats;
  db: Database;
  config: FluxiConfig['notifications'];
  logger: Logger;
  /** Tests: another sender, another catalog. */
  send?: Sender;
  subscriptions?: SubscriptionSource;
}): Promise<Notifications> {
  const { config } = deps;
  const logger = deps.logger.child({ component: 'notifications' });
  const now = () => new Date();
  const store = new DeliveryStore(deps.db);
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (let next = stops.pop(); next !== undefined; next = stops.pop()) await next();
  };
  let wake = (): void => {};
  const graphql = {
    typeDefs: notificationDeliveryTypeDefs,
    resolvers: notificationDeliveryResolvers(store, () => wake(), now),
  };
  if (!config.enabled) {
    logger.info('notifications are not delivered by this scheduler (notifications.enabled: false)');
    return { graphql, scheduleFiresRecorded: () => undefined, deadLettered: () => undefined, stop };
  }
  try {
    const natsSource =
      deps.subscriptions === undefined
        ? new NatsSubscriptionSource(deps.nats, config.subscriptionCacheSec * 1000, logger)
        : undefined;
    if (natsSource !== undefined) stops.push(async () => natsSource.close());
    const subscriptions = deps.subscriptions ?? (natsSource as SubscriptionSource);
    const loop = new DeliveryLoop(
      { store, subscriptions, send: deps.send ?? fetchSender, logger, now, random: Math.random },
      config,
    );
    const running = loop.start();
    stops.push(() => running.stop());
    wake = () => loop.wake();
    const recorder = new NotificationRecorder({
      db: deps.db,
      deliveries: store,
      subscriptions,
      maxAttempts: config.maxAttempts,
      logger,
      now,
      recorded: () => loop.wake(),
    });
    const ingestor = await startRunEventIngestor(deps.nats, recorder, logger);
    stops.push(() => ingestor.stop());
    return {
      graphql,
      scheduleFiresRecorded: (records, nameOf) => void recorder.recordBestEffort(scheduleFireFailures(records, nameOf)),
      deadLettered: (letter) => void recorder.recordBestEffort([deadLetterOccurrence(letter, now())]),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
