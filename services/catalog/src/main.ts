import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import {
  loadSecretKey,
  serviceRegistry,
  type HealthChecks,
  type RunningService,
  type ServiceOptions,
} from '@fluxi/common';
import type { Database } from '@fluxi/db';
import { gql, mountSubgraph, serveInProcess, type Resolvers } from '@fluxi/graphql';
import { connectNats, type Nats } from '@fluxi/messaging';
import { AppModule } from './app.module.js';
import { WebhookSecrets } from './domain/webhook-secrets.js';
import { bootstrapAdminKey } from './app/admin-bootstrap.js';
import { keyRing, resealAtStart } from './app/secret-rotation.js';
import { AccessStore } from './store/access-store.js';
import { openCatalogDatabase } from './store/database.js';
import { GRAPHQL_RESOLVERS, HEALTH_CHECKS } from './tokens.js';
import { SchedulePublisher } from './transport/nats/schedule-publisher.js';
import { typeDefs } from './transport/graphql/schema.js';
import { mergeResolvers } from './transport/graphql/resolvers.js';
import { StatsStore } from './store/stats-store.js';
import { statsResolvers, statsTypeDefs } from './transport/graphql/stats-schema.js';
import { registerCatalogMetrics } from './transport/metrics/catalog-metrics.js';
import { NotificationStore } from './store/notification-store.js';
import { notificationResolvers } from './transport/graphql/notification-resolvers.js';
import { notificationTypeDefs } from './transport/graphql/notification-schema.js';
import { publishNotificationsChanged, serveNotificationRequests } from './transport/nats/notification-requests.js';

/** The key file made at the first start when `secrets.masterKey` is not set (under the data dir). */
export const SECRET_KEY_FILE = 'secret.key';

export interface CatalogService extends RunningService {
  /** The plain admin API key, set only on the start that created it (first start of an installation). */
  readonly bootstrapAdminKey?: string;
}

/** Starts the catalog: database (migrated), NATS request/reply, GraphQL subgraph over HTTP. */
export async function start(options: ServiceOptions): Promise<CatalogService> {
  const { config } = options;
  const logger = options.logger.child({ service: 'catalog' });
  const closers: Array<() => Promise<unknown>> = [];
  const stop = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) {
      await close().catch((err: unknown) => logger.warn({ err }, 'catalog: error while stopping'));
    }
  };
  try {
    const db: Database = await openCatalogDatabase({
      url: config.database.url,
      dataDir: config.dataDir,
      shared: options.sharedEmbeddedDatabase,
      embedded: config.database.embedded,
    });
    closers.push(() => db.close());
    const nats: Nats = await connectNats(options.natsUrl, 'fluxi-catalog', logger, options.config.nats);
    closers.push(() => nats.close());
    const key = await loadSecretKey({
      configured: config.secrets.masterKey,
      file: config.secrets.keyFile ?? join(config.dataDir, SECRET_KEY_FILE),
    });
    const secrets = new WebhookSecrets(keyRing(key, config.secrets.previousKeys));
    await resealAtStart(db, secrets.keys, logger);
    const app: INestApplication = await NestFactory.create(
      AppModule.forRoot({ db, nats, logger, secrets, config: config.catalog }),
      {
        logger: false,
        bodyParser: false,
      },
    );
    const mounted: { apollo?: { stop(): Promise<void> } } = {};
    // The HTTP server closes first (in-flight requests finish), then Apollo, then NATS and the database.
    closers.push(async () => {
      await app.close();
      await mounted.apollo?.stop();
    });
    const stats = new StatsStore(db);
    const metrics = serviceRegistry('catalog', options.metrics);
    registerCatalogMetrics(metrics, stats);
    // Notification subscriptions: GraphQL here, the schedulers' questions over NATS.
    const notifications = new NotificationStore(db, secrets.keys);
    const stopNotificationRequests = serveNotificationRequests(nats, notifications, logger);
    closers.push(async () => stopNotificationRequests());
    const notificationsChanged = () => publishNotificationsChanged(nats);
    const apollo = await mountSubgraph(app.getHttpAdapter().getInstance(), {
      typeDefs: gql`
        ${typeDefs}
        ${statsTypeDefs}
        ${notificationTypeDefs}
      `,
      resolvers: mergeResolvers(
        app.get<Resolvers>(GRAPHQL_RESOLVERS),
        statsResolvers(stats),
        notificationResolvers(notifications, notificationsChanged, logger),
      ),
      health: { service: 'catalog', checks: app.get<HealthChecks>(HEALTH_CHECKS) },
      metrics,
      logger,
    });
    mounted.apollo = apollo;
    await app.listen(config.catalog.port, config.catalog.host);
    // The schedulers' copy of the schedules (NATS KV): all of them now, each change after its commit.
    const schedules = app.get(SchedulePublisher);
    await schedules.syncAll();
    const retrying = schedules.start(config.catalog.scheduleRetrySec * 1000);
    closers.push(async () => retrying.stop());
    const adminKey = await bootstrapAdminKey(app.get(AccessStore), config.dataDir, logger);
    const { port } = app.getHttpServer().address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    // This process's gateway calls the subgraph without HTTP; stopping ends that first.
    const unserve = serveInProcess(`${url}/graphql`, apollo);
    closers.push(async () => unserve());
    logger.info({ url }, 'catalog started');
    return { name: 'catalog', url, stop, ...(adminKey === undefined ? {} : { bootstrapAdminKey: adminKey }) };
  } catch (error) {
    await stop();
    throw error;
  }
}
