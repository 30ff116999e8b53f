import { Counter, serviceExposition, type MetricsHub, type Registry } from '@fluxi/common';
import { mountMetrics } from '@fluxi/graphql';
import type { Express } from 'express';

/** The gateway's own metrics. */
export interface GatewayMetrics {
  /** Incoming webhook deliveries by provider and result (started, duplicate, no_match, ignored, unauthorized, invalid, too_large, failed). */
  webhookDeliveries: Counter<'provider' | 'result'>;
}

export function gatewayMetrics(registry: Registry): GatewayMetrics {
  return {
    webhookDeliveries: new Counter({
      name: 'fluxi_webhook_deliveries_total',
      help: 'Incoming webhook deliveries (POST /hooks/github, /hooks/gitlab) by provider and result.',
      labelNames: ['provider', 'result'],
      registers: [registry],
    }),
  };
}

/**
 * `GET /metrics` of the gateway, without auth: in a launcher that runs several services
 * (`all`), every service of it merged (the hub); alone, its own registry and process.
 */
export function mountGatewayMetrics(http: Express, registry: Registry, hub: MetricsHub | undefined): void {
  mountMetrics(http, hub === undefined ? () => serviceExposition(registry) : () => hub.exposition());
}
