import { freePort } from './ports.js';
import { spawnServer } from './process.js';
import { externalRestartable, restartable, type RestartableServer } from './restartable.js';
import { tempDir } from './tmp.js';

export interface RedisServerOptions {
  /** Data folder (append-only file); a temporary one when unset. */
  dir?: string;
  port?: number;
  binary?: string;
  /** TLS only, on `port` (a `rediss://` URL), verifying client certificates signed by `ca`. */
  tls?: { cert: string; key: string; ca: string };
}

/**
 * Starts `redis-server` with an append-only file on a free port. Set
 * FLUXI_TEST_REDIS_URL to use an existing server instead (not stopped, cannot be
 * restarted); a `dir` always starts a server of the test's own. `restart()` brings
 * the server back on the same port with the same data folder.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RestartableServer> {
  const existing = process.env['FLUXI_TEST_REDIS_URL'];
  if (existing && options.dir === undefined && options.tls === undefined) return externalRestartable(existing);
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? tempDir('fluxi-redis-').path;
  const { tls } = options;
  return restartable(() =>
    spawnServer(
      options.binary ?? 'redis-server',
      [
        '--bind',
        '127.0.0.1',
        ...(tls === undefined
          ? ['--port', String(port)]
          : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key]),
        ...(tls === undefined ? [] : ['--tls-ca-cert-file', tls.ca, '--tls-auth-clients', 'yes']),
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
      `${tls === undefined ? 'redis' : 'rediss'}://127.0.0.1:${port}`,
    ),
  );
}
