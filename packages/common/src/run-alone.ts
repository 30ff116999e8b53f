import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { loadConfig, ConfigError } from './config/load.js';
import { createLogger } from './logger.js';
import type { RunningService, ServiceOptions } from './lifecycle.js';
import type { FluxiConfig } from './config/schema.js';
import { FLUXI_VERSION } from './version.js';
import { listenForStop } from './stop-signals.js';

/**
 * Entry point of a service run as its own process (`node services/x/dist/bin.js`):
 * reads --config / environment, needs NATS_URL and REDIS_URL (shared servers),
 * starts the service and stops it cleanly on SIGINT / SIGTERM.
 */
export interface RunAloneOptions<S extends RunningService> {
  /** False for a service that does not use Redis (REDIS_URL is then optional). */
  needsRedis?: boolean;
  /** Called once the service runs, e.g. to show something on the terminal. */
  onStarted?: (service: S, config: FluxiConfig) => void;
  argv?: string[];
}

export async function runAlone<S extends RunningService>(
  name: string,
  start: (options: ServiceOptions) => Promise<S>,
  options: RunAloneOptions<S> = {},
): Promise<void> {
  const argv = options.argv ?? process.argv.slice(2);
  const needsRedis = options.needsRedis ?? true;
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      debug: { type: 'boolean' },
      silent: { type: 'boolean' },
      version: { type: 'boolean' },
    },
  });
  if (values.version) {
    process.stdout.write(`${FLUXI_VERSION}\n`);
    return;
  }
  // Listening from the start: a stop asked for while starting waits for the start, then stops.
  const signals = listenForStop();
  let service: S;
  try {
    const config = loadConfig({ ...(values.config === undefined ? {} : { file: values.config }), env: process.env });
    if (config.nats.url === undefined || (needsRedis && config.redis.url === undefined)) {
      const needs = needsRedis ? 'NATS_URL and REDIS_URL (or nats.url / redis.url)' : 'NATS_URL (or nats.url)';
      throw new ConfigError(`${name} runs alone against shared servers: set ${needs}`);
    }
    const level = values.silent ? 'silent' : values.debug ? 'debug' : config.log.level;
    const logger = createLogger({
      level,
      console: !values.silent && config.log.console,
      ...(config.log.files ? { dir: join(config.dataDir, 'logs', name) } : {}),
    });
    service = await start({ config, natsUrl: config.nats.url, redisUrl: config.redis.url ?? '', logger });
    logger.info({ service: name, url: service.url }, `${name} started`);
    options.onStarted?.(service, config);
  } catch (error) {
    process.stderr.write(`fluxi ${name}: ${(error as Error).message}\n`);
    process.exitCode = 1;
    signals.dispose();
    return;
  }
  await signals.requested;
  await service.stop();
  process.exit(0);
}
