import { freePort } from './ports.js';
import { spawnServer, type ServerProcess } from './process.js';
import { externalServer } from './nats-server.js';
import { tempDir } from './tmp.js';

export interface RedisServerOptions {
  /** Data folder (append-only file); a temporary one when unset. */
  dir?: string;
  port?: number;
  binary?: string;
}

/**
 * Starts `redis-server` with an append-only file on a free port. Set
 * FLUXI_TEST_REDIS_URL to use an existing server instead.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<ServerProcess> {
  const existing = process.env['FLUXI_TEST_REDIS_URL'];
  if (existing && options.dir === undefined) return externalServer(existing);
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? tempDir('fluxi-redis-').path;
  return spawnServer(
    options.binary ?? 'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--protected-mode',
      'no',
    ],
    port,
    `redis://127.0.0.1:${port}`,
  );
}
