#!/usr/bin/env node
import { join } from 'node:path';
import { runAlone } from '@fluxi/common';
import { start } from './main.js';

/**
 * Runs the catalog alone: `node dist/bin.js [--config fluxi.yaml]`, with NATS_URL
 * (and DATABASE_URL for PostgreSQL; PGlite in the data dir otherwise) in the environment.
 * The catalog does not use Redis, so REDIS_URL is not required.
 */
await runAlone('catalog', start, {
  needsRedis: false,
  onStarted: (service, config) => {
    if (service.bootstrapAdminKey === undefined) return;
    // Shown once, on the terminal only (never in the log files).
    process.stderr.write(
      `\nFirst start: created user "admin" with API key\n\n  ${service.bootstrapAdminKey}\n\n` +
        `(also saved to ${join(config.dataDir, 'admin-api-key')})\n\n`,
    );
  },
});
