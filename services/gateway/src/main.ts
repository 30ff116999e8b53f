import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FluxiError, serviceRegistry, type RunningService, type ServiceOptions } from '@fluxi/common';
import { connectNats, natsHealthCheck } from '@fluxi/messaging';
import { GatewayModule } from './app.module.js';
import { artifactStore } from '@fluxi/artifacts';
import { mountArtifacts } from './transport/artifacts.js';
import { jetStreamAuditLog } from './access/audit-log.js';
import { AuthLimiter } from './access/auth-limiter.js';
import { mountLogin, mountLogout } from './access/session-routes.js';
import { requireApiKey } from './transport/auth.js';
import { mountGateway } from './transport/graphql.js';
import { mountHealth } from './transport/health.js';
import { gatewayMetrics, mountGatewayMetrics } from './transport/gateway-metrics.js';
import { natsWebhookPorts, recordDelivery } from './transport/webhook-ports.js';
import { mountWebhooks } from './transport/webhook-routes.js';
import { KeyVerifier } from './transport/key-verifier.js';
import { liveFollows } from './live/live-follows.js';
import { mountLive } from './live/live-server.js';
import { mountSse } from './live/sse.js';
import { mountRest } from './rest/router.js';

export interface SubgraphUrls {
  catalog: string;
  scheduler: string;
  logs: string;
}

export interface GatewayOptions extends ServiceOptions {
  /** GraphQL endpoints of the subgraphs; defaults to config.gateway.subgraphs. */
  subgraphs?: SubgraphUrls;
}

export async function start(options: GatewayOptions): Promise<RunningService> {
  const { config } = options;
  const logger = options.logger.child({ service: 'gateway' });
  const urls = options.subgraphs ?? config.gateway.subgraphs;
  const subgraphs = (['catalog', 'scheduler', 'logs'] as const).map((name) => {
    const url = urls[name];
    if (url === undefined) {
      throw new FluxiError(
        'BAD_USER_INPUT',
        `gateway.subgraphs.${name} is not set: the gateway needs the ${name} subgraph URL`,
        {
          field: `gateway.subgraphs.${name}`,
        },
      );
    }
    return { name, url };
  });
  const nats = await connectNats(options.natsUrl, 'fluxi-gateway', logger, options.config.nats);
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule, { logger: false });
  const http = app.getHttpAdapter().getInstance();
  http.disable('x-powered-by');
  mountHealth(http, subgraphs, { nats: natsHealthCheck(nats.nc) });
  const registry = serviceRegistry('gateway', options.metrics);
  const metrics = gatewayMetrics(registry);
  mountGatewayMetrics(http, registry, options.metrics);
  const verifier = new KeyVerifier(nats.nc, logger);
  const audit = jetStreamAuditLog(nats.js, logger);
  const limiter = new AuthLimiter(config.gateway.authFailures);
  const auth = requireApiKey({ verifier, limiter, audit, logger });
  // Open: a user name and password for a session token (rate-limited, audited).
  mountLogin(http, { nc: nats.nc, limiter, audit, logger });
  http.use('/graphql', auth);
  http.use('/artifacts', auth);
  http.use('/api/v1', auth);
  mountLogout(http, { nc: nats.nc, limiter, audit, logger });
  mountArtifacts(http, artifactStore(config), logger);
  // No API key: the signature of each delivery is its authentication.
  mountWebhooks(http, {
    maxBodyBytes: config.gateway.webhooks.maxBodyBytes,
    ports: natsWebhookPorts(nats.nc, config.gateway.webhooks.cacheSec),
    record: (record, receivedAt) => {
      metrics.webhookDeliveries.inc({ provider: record.provider, result: record.result.toLowerCase() });
      return recordDelivery(nats.nc, record, receivedAt, logger);
    },
    logger,
  });
  const logsUrl = subgraphs.find((subgraph) => subgraph.name === 'logs')?.url as string;
  const follows = liveFollows(nats, logsUrl, logger);
  mountSse(http, follows, logger);
  const apollo = await mountGateway(http, subgraphs, logger, audit, () => verifier.forget());
  mountRest(http, apollo, logger);
  const live = mountLive(app.getHttpServer(), {
    path: '/graphql',
    verifier,
    follows,
    logger,
    limiter,
    audit,
  });
  await app.listen(config.gateway.port, config.gateway.host);
  const address = app.getHttpServer().address() as AddressInfo;
  const url = `http://${config.gateway.host}:${address.port}`;
  logger.info({ url }, 'gateway listening');
  return {
    name: 'gateway',
    url,
    async stop() {
      await live.stop();
      await apollo.stop();
      await app.close();
      verifier.close();
      // Audit entries of the last requests reach the stream before NATS closes (each publish is bounded).
      await audit.flush();
      await nats.close();
    },
  };
}
