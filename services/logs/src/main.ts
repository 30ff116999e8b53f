import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { serviceRegistry, type HealthChecks, type RunningService, type ServiceOptions } from '@fluxi/common';
import { connectNats, type Nats } from '@fluxi/messaging';
import { mountSubgraph, serveInProcess } from '@fluxi/graphql';
import { AppModule } from './app.module.js';
import { LogStore } from './store/log-store.js';
import { LogsSubgraph, typeDefs } from './transport/graphql.js';
import { HEALTH_CHECKS } from './transport/tokens.js';
import { LogsMetrics } from './transport/logs-metrics.js';

export const SERVICE_NAME = 'logs';

/** Where the embedded chDB keeps the logs, under the data folder. */
export function chdbPath(dataDir: string): string {
  return join(dataDir, 'chdb');
}

/**
 * Starts the logs service: JetStream log chunks → ClickHouse (chDB when no
 * CLICKHOUSE_URL), attempt outcomes from the job run events, the retention pass, and
 * the GraphQL subgraph (`jobRunLogs`, `searchLogs`, `logOccurrences`) over HTTP.
 */
export async function start(options: ServiceOptions): Promise<RunningService> {
  const { config } = options;
  const logger = options.logger.child({ service: SERVICE_NAME });
  const store = await LogStore.open({
    url: config.clickhouse.url,
    chdbPath: chdbPath(config.dataDir),
    logger,
    defaultRetentionDays: config.logs.retentionDays,
  });
  let nats: Nats | undefined;
  let app: NestExpressApplication | undefined;
  try {
    // A store that is away now is not fatal: writes wait for it, and the stream keeps the chunks.
    await store.ready().catch((error: unknown) => logger.error({ err: error }, 'log store not ready yet, will retry'));
    nats = await connectNats(options.natsUrl, `fluxi-${SERVICE_NAME}`, logger, options.config.nats);
    const metrics = serviceRegistry(SERVICE_NAME, options.metrics);
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({ config: config.logs, nats, store, logger, metrics: new LogsMetrics(metrics) }),
      { logger: false, bodyParser: false },
    );
    const apollo = await mountSubgraph(app.getHttpAdapter().getInstance(), {
      typeDefs,
      resolvers: app.get(LogsSubgraph).resolvers(),
      health: { service: 'logs', checks: app.get<HealthChecks>(HEALTH_CHECKS) },
      metrics,
      logger,
    });
    await app.listen(config.logs.port, config.logs.host);
    const { port } = app.getHttpServer().address() as AddressInfo;
    const url = `http://${reachableHost(config.logs.host)}:${port}`;
    // This process's gateway calls the subgraph without HTTP; stopping ends that first.
    const unserve = serveInProcess(`${url}/graphql`, apollo);
    logger.info({ url, engine: store.engine }, 'logs service started');
    const openApp = app;
    const openNats = nats;
    return {
      name: SERVICE_NAME,
      url,
      async stop() {
        unserve();
        await openApp.close(); // stops the consumer (after its current batch) and the HTTP server
        await apollo.stop();
        await openNats.close();
        await store.close();
        logger.info('logs service stopped');
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await nats?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}

/** A host clients can dial: a wildcard listen address is reached through loopback. */
function reachableHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
}
