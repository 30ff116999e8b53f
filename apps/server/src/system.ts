import type { FluxiConfig, Logger, RunningService, ServiceOptions } from '@fluxi/common';
import { start as startCatalog } from '@fluxi/catalog';
import { start as startExecutor } from '@fluxi/executor';
import { start as startGateway } from '@fluxi/gateway';
import { start as startLogs } from '@fluxi/logs';
import { start as startScheduler } from '@fluxi/scheduler';
import { startExecutorProcess } from './executor-process.js';
import { startLocalNats, startLocalRedis, type LocalServer } from './local-servers.js';

export const TARGETS = ['all', 'gateway', 'catalog', 'scheduler', 'executor', 'logs'] as const;
export type Target = (typeof TARGETS)[number];

export interface FluxiSystem {
  /** Gateway URL when the gateway runs here. */
  url: string | undefined;
  natsUrl: string;
  redisUrl: string;
  /** The admin API key, only on the start that created it. */
  adminKey: string | undefined;
  services: RunningService[];
  stop(): Promise<void>;
}

/**
 * Starts Fluxi: local nats-server / redis-server when no URL is configured, then the
 * services of the target(s) in dependency order (catalog, logs, scheduler, executor,
 * gateway) in this process — except that `all` runs the executor as a child process
 * (see executor-process.ts). Stops everything in reverse order.
 */
export async function startFluxi(
  config: FluxiConfig,
  logger: Logger,
  target: Target | readonly Target[] = 'all',
): Promise<FluxiSystem> {
  const targets: readonly Target[] = typeof target === 'string' ? [target] : target;
  const servers: LocalServer[] = [];
  const services: RunningService[] = [];
  const stop = async () => {
    for (const service of services.reverse()) {
      await service
        .stop()
        .catch((error: unknown) => logger.error({ err: error, service: service.name }, 'stop failed'));
    }
    for (const server of servers.reverse()) await server.stop();
  };
  try {
    const natsUrl = config.nats.url ?? (await push(servers, startLocalNats(config.dataDir, logger))).url;
    const redisUrl = config.redis.url ?? (await push(servers, startLocalRedis(config.dataDir, logger))).url;
    const options: ServiceOptions = { config, natsUrl, redisUrl, logger };
    const wants = (name: Target) => targets.includes('all') || targets.includes(name);
    let adminKey: string | undefined;
    let catalogUrl = config.gateway.subgraphs.catalog;
    let schedulerUrl = config.gateway.subgraphs.scheduler;
    let logsUrl = config.gateway.subgraphs.logs;
    if (wants('catalog')) {
      const catalog = await startCatalog(options);
      services.push(catalog);
      adminKey = catalog.bootstrapAdminKey;
      catalogUrl = `${catalog.url ?? ''}/graphql`;
    }
    if (wants('logs')) logsUrl = `${(await push(services, startLogs(options))).url ?? ''}/graphql`;
    if (wants('scheduler')) schedulerUrl = `${(await push(services, startScheduler(options))).url ?? ''}/graphql`;
    if (targets.includes('executor')) await push(services, startExecutor(options));
    else if (targets.includes('all')) await push(services, startExecutorProcess(config, { natsUrl, redisUrl }, logger));
    let url: string | undefined;
    if (wants('gateway')) {
      const subgraphs =
        catalogUrl && schedulerUrl && logsUrl
          ? { catalog: catalogUrl, scheduler: schedulerUrl, logs: logsUrl }
          : undefined;
      url = (await push(services, startGateway({ ...options, ...(subgraphs ? { subgraphs } : {}) }))).url;
    }
    return { url, natsUrl, redisUrl, adminKey, services, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function push<T>(list: T[], item: Promise<T>): Promise<T> {
  const value = await item;
  list.push(value);
  return value;
}
