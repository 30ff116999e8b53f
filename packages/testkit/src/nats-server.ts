import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { spawnServer, type ServerProcess } from './process.js';
import { externalRestartable, restartable, type RestartableServer } from './restartable.js';
import { tempDir } from './tmp.js';

export type { RestartableServer } from './restartable.js';

export interface NatsServerOptions {
  /** JetStream store folder; a temporary one when unset. Reuse it to restart with the same data. */
  storeDir?: string;
  port?: number;
  binary?: string;
  /** More `nats-server` arguments (TLS, authentication). */
  args?: readonly string[];
}

/**
 * Starts `nats-server -js` on a free port. Set FLUXI_TEST_NATS_URL to use an
 * existing server instead (it is then not stopped, and cannot be restarted); a
 * `storeDir` always starts a server of the test's own. `restart()` brings the
 * server back on the same port with the same JetStream store.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<RestartableServer> {
  const existing = process.env['FLUXI_TEST_NATS_URL'];
  if (existing && options.storeDir === undefined && options.args === undefined) return externalRestartable(existing);
  const port = options.port ?? (await freePort());
  const storeDir = options.storeDir ?? join(tempDir('fluxi-nats-').path, 'js');
  mkdirSync(storeDir, { recursive: true });
  return restartable(() =>
    spawnServer(
      options.binary ?? 'nats-server',
      ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, ...(options.args ?? [])],
      port,
      `nats://127.0.0.1:${port}`,
    ),
  );
}

export function externalServer(url: string): ServerProcess {
  return externalRestartable(url);
}
