import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { spawnServer, type ServerProcess } from './process.js';
import { tempDir } from './tmp.js';

export interface NatsServerOptions {
  /** JetStream store folder; a temporary one when unset. Reuse it to restart with the same data. */
  storeDir?: string;
  port?: number;
  binary?: string;
}

/**
 * Starts `nats-server -js` on a free port. Set FLUXI_TEST_NATS_URL to use an
 * existing server instead (it is then not stopped).
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<ServerProcess> {
  const existing = process.env['FLUXI_TEST_NATS_URL'];
  if (existing && options.storeDir === undefined) return externalServer(existing);
  const port = options.port ?? (await freePort());
  const storeDir = options.storeDir ?? join(tempDir('fluxi-nats-').path, 'js');
  mkdirSync(storeDir, { recursive: true });
  return spawnServer(
    options.binary ?? 'nats-server',
    ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
    port,
    `nats://127.0.0.1:${port}`,
  );
}

export function externalServer(url: string): ServerProcess {
  const port = Number(new URL(url).port);
  const noop = async () => undefined;
  return { url, port, child: undefined as never, stop: noop, kill: noop };
}
