#!/usr/bin/env node
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, loadConfig } from '@fluxi/common';
import { start } from './main.js';

/**
 * Runs the catalog alone: `node dist/bin.js [--config fluxi.yaml]`, with NATS_URL
 * (and DATABASE_URL for PostgreSQL; PGlite in the data dir otherwise) in the environment.
 * The catalog does not use Redis, so REDIS_URL is not required.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' } }, strict: true });
  const config = loadConfig({ ...(values.config === undefined ? {} : { file: values.config }), env: process.env });
  const natsUrl = config.nats.url;
  if (natsUrl === undefined) {
    throw new Error(
      'NATS_URL is not set: the catalog needs a NATS server (set NATS_URL or nats.url in the config file)',
    );
  }
  const logger = createLogger({
    level: config.log.level,
    console: config.log.console,
    ...(config.log.files ? { dir: join(config.dataDir, 'logs') } : {}),
  });
  const service = await start({ config, natsUrl, redisUrl: config.redis.url ?? '', logger });
  if (service.bootstrapAdminKey !== undefined) {
    // Shown once, on the terminal only (never in the log files).
    process.stderr.write(
      `\nFirst start: created user "admin" with API key\n\n  ${service.bootstrapAdminKey}\n\n` +
        `(also saved to ${join(config.dataDir, 'admin-api-key')})\n\n`,
    );
  }
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'catalog stopping');
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'catalog did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`fluxi catalog: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
