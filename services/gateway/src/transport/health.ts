import type { Express } from 'express';
import { FLUXI_VERSION } from '@fluxi/common';
import type { Subgraph } from './graphql.js';

/** GET /health, without auth: the gateway and the reachability of each subgraph. */
export function mountHealth(app: Express, subgraphs: Subgraph[]): void {
  app.get('/health', (_req, res) => {
    void Promise.all(
      subgraphs.map(async (s) => {
        try {
          const response = await fetch(`${s.url}?query=${encodeURIComponent('{__typename}')}`, {
            headers: { 'apollo-require-preflight': 'true' },
            signal: AbortSignal.timeout(2000),
          });
          return [s.name, response.ok ? 'up' : `http ${response.status}`] as const;
        } catch {
          return [s.name, 'down'] as const;
        }
      }),
    ).then((states) => {
      const up = states.every(([, state]) => state === 'up');
      res
        .status(up ? 200 : 503)
        .json({ status: up ? 'ok' : 'degraded', version: FLUXI_VERSION, subgraphs: Object.fromEntries(states) });
    });
  });
}
