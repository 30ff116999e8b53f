#!/usr/bin/env node
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, createLogger, loadConfig } from '@fluxi/common';
import { start } from './main.js';

/** Runs the scheduler alone: `node dist/bin.js [--config fluxi.yaml]`, with NATS_URL and REDIS_URL set. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' } }, strict: true });
  const config = loadConfig({ ...(values.config === undefined ? {} : { file: values.config }), env: process.env });
  const natsUrl = config.nats.url;
  const redisUrl = config.redis.url;
  const missing = [natsUrl === undefined ? 'NATS_URL' : '', redisUrl === undefined ? 'REDIS_URL' : ''].filter(Boolean);
  if (natsUrl === undefined || redisUrl === undefined) {
    fail(`the scheduler needs ${missing.join(' and ')} (or nats.url / redis.url in the config file)`);
    return;
  }
  const logger = createLogger({
    level: config.log.level,
    console: config.log.console,
    ...(config.log.files ? { dir: join(config.dataDir, 'logs', 'scheduler') } : {}),
  });
  const service = await start({ config, natsUrl, redisUrl, logger });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function fail(message: string): void {
  process.stderr.write(`fluxi scheduler: ${message}\n`);
  process.exitCode = 1;
}

main().catch((error: unknown) => {
  fail(error instanceof ConfigError ? error.message : ((error as Error).stack ?? String(error)));
});
