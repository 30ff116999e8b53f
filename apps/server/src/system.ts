import {
  assertCanListen,
  MetricsHub,
  settlesWithin,
  type FluxiConfig,
  type Logger,
  type LogLevel,
  type RunningService,
  type ServiceOptions,
  type StopOptions,
} from '@fluxi/common';
import type { GatewayOptions } from '@fluxi/gateway';
import { connectNats, followLogLevel, putLogLevel } from '@fluxi/messaging';
import { startExecutorProcess } from './executor-process.js';
import { startLocalNats, startLocalRedis, type LocalServer } from './local-servers.js';
import { stopBounds } from './stop-bounds.js';
import type { Target } from './targets.js';

export { TARGETS, type Target } from './targets.js';

export interface FluxiSystem {
  /** Gateway URL when the gateway runs here. */
  url: string | undefined;
  natsUrl: string;
  redisUrl: string;
  /** The admin API key, only on the start that created it. */
  adminKey: string | undefined;
  services: RunningService[];
  stop(options?: StopOptions): Promise<void>;
}

export interface StartOptions {
  /**
   * Apply the installation's current runtime log level at once (a process the
   * launcher started); otherwise only later changes apply and the config decides
   * the level at start.
   */
  followCurrentLogLevel?: boolean;
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
  startOptions: StartOptions = {},
): Promise<FluxiSystem> {
  const targets: readonly Target[] = typeof target === 'string' ? [target] : target;
  const servers: LocalServer[] = [];
  const services: RunningService[] = [];
  const stop = async (stopOptions?: StopOptions) => {
    for (const service of services.reverse()) {
      await service
        .stop(stopOptions)
        .catch((error: unknown) => logger.error({ err: error, service: service.name }, 'stop failed'));
    }
    for (const server of servers.reverse()) await server.stop();
  };
  try {
    await assertPortsFree(config, targets);
    const natsUrl = config.nats.url ?? (await push(servers, startLocalNats(config.dataDir, logger))).url;
    const redisUrl = config.redis.url ?? (await push(servers, startLocalRedis(config.dataDir, logger))).url;
    // The services' metrics, merged on the gateway's /metrics when it runs here too.
    const options: ServiceOptions = {
      config,
      natsUrl,
      redisUrl,
      logger,
      metrics: new MetricsHub(),
      sharedEmbeddedDatabase: runsHere(targets, 'catalog') && runsHere(targets, 'scheduler'),
    };
    await push(services, followInstallationLogLevel(options, config.log.level, targets, startOptions));
    const { url, adminKey } = await startServices(targets, options, services);
    return { url, natsUrl, redisUrl, adminKey, services, stop };
  } catch (error) {
    if (!(await settlesWithin(stop(), stopBounds(config).totalMs)))
      logger.error('stopping after a failed start timed out');
    throw error;
  }
}

/** Whether the service `name` runs in this process (`all` runs every one). */
const runsHere = (targets: readonly Target[], name: Target): boolean =>
  targets.includes('all') || targets.includes(name);

// Each service's module is loaded only by a process that runs it: the executor process (and a
// one-service process) then holds none of the others' code and dependencies (Apollo Gateway,
// PGlite, chDB, …), about 35 MB of resident memory less for the executor process.
const startCatalog = async (options: ServiceOptions) => (await import('@fluxi/catalog')).start(options);
const startLogs = async (options: ServiceOptions) => (await import('@fluxi/logs')).start(options);
const startScheduler = async (options: ServiceOptions) => (await import('@fluxi/scheduler')).start(options);
const startExecutor = async (options: ServiceOptions) => (await import('@fluxi/executor')).start(options);
const startGateway = async (options: GatewayOptions) => (await import('@fluxi/gateway')).start(options);

/** Starts the services of `targets` in dependency order, pushing each onto `services` as it runs. */
async function startServices(
  targets: readonly Target[],
  options: ServiceOptions,
  services: RunningService[],
): Promise<{ url: string | undefined; adminKey: string | undefined }> {
  const { config, natsUrl, redisUrl, logger } = options;
  const wants = (name: Target) => runsHere(targets, name);
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
  else if (targets.includes('all'))
    await push(services, startExecutorProcess(config, { natsUrl, redisUrl }, logger, options.metrics));
  let url: string | undefined;
  if (wants('gateway')) {
    const subgraphs =
      catalogUrl && schedulerUrl && logsUrl
        ? { catalog: catalogUrl, scheduler: schedulerUrl, logs: logsUrl }
        : undefined;
    url = (await push(services, startGateway({ ...options, ...(subgraphs ? { subgraphs } : {}) }))).url;
  }
  return { url, adminKey };
}

/**
 * Every process follows the installation's runtime log level (setLogLevel). The
 * launcher of `all` decides it at start: it stores its configured level, which its
 * executor process then reads.
 */
async function followInstallationLogLevel(
  { natsUrl, logger, config }: ServiceOptions,
  level: LogLevel,
  targets: readonly Target[],
  startOptions: StartOptions,
): Promise<RunningService> {
  const nats = await connectNats(natsUrl, 'fluxi-settings', logger, config.nats);
  try {
    if (targets.includes('all')) await putLogLevel(nats, level, 'config');
    const follower = await followLogLevel(nats, logger, {
      includeCurrent: startOptions.followCurrentLogLevel === true || targets.includes('all'),
    });
    return {
      name: 'log level',
      async stop() {
        await follower.stop();
        await nats.close();
      },
    };
  } catch (error) {
    await nats.close();
    throw error;
  }
}

async function push<T>(list: T[], item: Promise<T>): Promise<T> {
  const value = await item;
  list.push(value);
  return value;
}

/** Fails at once, before anything starts, when a fixed port Fluxi is to listen on is taken. */
async function assertPortsFree(config: FluxiConfig, targets: readonly Target[]): Promise<void> {
  const fixed = (['gateway', 'catalog', 'scheduler', 'logs'] as const)
    .filter((name) => runsHere(targets, name) && config[name].port !== 0)
    .map((name) => ({ host: config[name].host, port: config[name].port }));
  for (const { host, port } of fixed) await assertCanListen(port, host);
}
