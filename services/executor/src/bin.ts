import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, loadConfig } from '@fluxi/common';
import { start } from './main.js';

/** Runs the executor alone: `node dist/bin.js [--config fluxi.yaml]`, NATS_URL and REDIS_URL required. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' } }, allowPositionals: false });
  const config = loadConfig({ ...(values.config === undefined ? {} : { file: values.config }), env: process.env });
  const natsUrl = config.nats.url;
  const redisUrl = config.redis.url;
  if (natsUrl === undefined || redisUrl === undefined) {
    const missing = [
      natsUrl === undefined ? 'NATS_URL (nats.url)' : '',
      redisUrl === undefined ? 'REDIS_URL (redis.url)' : '',
    ]
      .filter(Boolean)
      .join(' and ');
    throw new Error(`the executor needs ${missing}: set it in the environment or in the config file (--config)`);
  }
  const logger = createLogger({
    level: config.log.level,
    console: config.log.console,
    ...(config.log.files ? { dir: join(config.dataDir, 'logs', 'executor') } : {}),
  });
  const service = await start({ config, natsUrl, redisUrl, logger });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping executor');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'executor did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`fluxi executor: ${(error as Error).message}\n`);
  process.exit(1);
});
