import type { Express } from 'express';
import { FLUXI_VERSION, runHealthChecks, type HealthChecks } from '@fluxi/common';
import type { Subgraph } from './graphql.js';
import { gatewayHealth } from './health-report.js';
import { probeSubgraph } from './subgraph-health.js';

/**
 * GET /health, without auth: the gateway's own dependencies (`checks`, e.g. its NATS
 * connection) and each subgraph's /health, with the subgraph's checks nested. 200
 * `ok` when everything is up, 503 `degraded` naming what is down. Every part is
 * bounded by a timeout, so the answer comes within about 2.5 s even when things hang.
 */
export function mountHealth(app: Express, subgraphs: Subgraph[], checks: HealthChecks): void {
  // Liveness: the process answers. Whether it can serve is /health (readiness).
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', version: FLUXI_VERSION });
  });
  app.get('/health', async (_req, res) => {
    const [own, states] = await Promise.all([
      runHealthChecks(checks),
      Promise.all(subgraphs.map(async (subgraph) => [subgraph.name, await probeSubgraph(subgraph.url)] as const)),
    ]);
    const body = gatewayHealth(own, Object.fromEntries(states));
    res.status(body.status === 'ok' ? 200 : 503).json(body);
  });
}
