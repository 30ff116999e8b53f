// Fluxi started in this process (as bench/dispatch does): a temp data dir, a free gateway port,
// errors on the console. Resolves with { url, key, redisUrl, stop }.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi } from '@fluxi/server';

export async function startMesh({ concurrency = 4, flags = {} } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'fluxi-bench-'));
  const config = loadConfig({
    env: process.env,
    flags: { dataDir, 'gateway.port': 0, 'executor.concurrency': concurrency, 'log.level': 'error', ...flags },
  });
  let system;
  try {
    system = await startFluxi(config, createLogger({ level: 'error' }));
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: system.url,
    key: system.adminKey,
    redisUrl: system.redisUrl,
    stop: async () => {
      await system.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
