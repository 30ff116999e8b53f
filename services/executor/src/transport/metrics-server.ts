import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, METRICS_CONTENT_TYPE, serviceExposition, type Logger, type Registry } from '@fluxi/common';

/** Where the executor's metrics are served. */
export interface MetricsServer {
  /** `http://<host>:<port>`; `GET /metrics` (Prometheus text), `GET /metrics/json` (this service's metrics, no process ones). */
  readonly url: string;
  close(): Promise<void>;
}

/** The executor's attempts against its concurrency (utilisation = running / capacity). */
export function registerSlotMetrics(registry: Registry, running: () => number, capacity: number): void {
  new Gauge({
    name: 'fluxi_executor_jobs_running',
    help: 'Attempts this executor runs now.',
    registers: [registry],
    collect() {
      this.set(running());
    },
  });
  new Gauge({
    name: 'fluxi_executor_job_capacity',
    help: 'Attempts this executor runs at most at once (executor.concurrency).',
    registers: [registry],
  }).set(capacity);
}

/**
 * The executor's own HTTP listener (it serves nothing else): `/metrics` for Prometheus and
 * `/metrics/json` for the launcher of the `all` mode, which merges it into the gateway's.
 */
export async function startMetricsServer(
  registry: Registry,
  options: { host: string; port: number; logger: Logger },
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const answer =
      req.method !== 'GET'
        ? undefined
        : path === '/metrics'
          ? serviceExposition(registry).then((body) => ({ type: METRICS_CONTENT_TYPE, body }))
          : path === '/metrics/json'
            ? registry.getMetricsAsJSON().then((json) => ({ type: 'application/json', body: JSON.stringify(json) }))
            : undefined;
    if (answer === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    answer.then(
      ({ type, body }) => res.writeHead(200, { 'content-type': type }).end(body),
      (error: unknown) => {
        options.logger.warn({ err: error }, 'metrics failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = ['0.0.0.0', '::', ''].includes(options.host) ? '127.0.0.1' : options.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
