import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { loadConfig, ConfigError } from './config/load.js';
import { createLogger } from './logger.js';
import type { RunningService, ServiceOptions } from './lifecycle.js';
import { FLUXI_VERSION } from './version.js';

/**
 * Entry point of a service run as its own process (`node services/x/dist/bin.js`):
 * reads --config / environment, needs NATS_URL and REDIS_URL (shared servers),
 * starts the service and stops it cleanly on SIGINT / SIGTERM.
 */
export async function runAlone(
  name: string,
  start: (options: ServiceOptions) => Promise<RunningService>,
  argv: string[] = process.argv.slice(2),
): Promise<void> {
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
  let service: RunningService;
  try {
    const config = loadConfig({ ...(values.config === undefined ? {} : { file: values.config }), env: process.env });
    if (config.nats.url === undefined || config.redis.url === undefined) {
      throw new ConfigError(
        `${name} runs alone against shared servers: set NATS_URL and REDIS_URL (or nats.url / redis.url)`,
      );
    }
    const level = values.silent ? 'silent' : values.debug ? 'debug' : config.log.level;
    const logger = createLogger({
      level,
      console: !values.silent && config.log.console,
      ...(config.log.files ? { dir: join(config.dataDir, 'logs', name) } : {}),
    });
    service = await start({ config, natsUrl: config.nats.url, redisUrl: config.redis.url, logger });
    logger.info({ service: name, url: service.url }, `${name} started`);
  } catch (error) {
    process.stderr.write(`fluxi ${name}: ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(130);
    stopping = true;
    void service.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
