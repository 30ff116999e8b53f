import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi, type FluxiSystem } from '@fluxi/server';
import { createTestDatabase, tempDir, type TestDatabase } from '@fluxi/testkit';
import { afterAll, beforeAll, describe } from 'vitest';
import { client } from './client.js';
import { FluxiApi } from './fluxi-api.js';

/** A running Fluxi for a group of end-to-end tests; filled in before the first test. */
export interface E2eFluxi {
  system: FluxiSystem;
  api: FluxiApi;
  /** A folder the tests' jobs may write marker files into. */
  scratch: string;
}

const STORES = [
  { name: 'embedded stores (PGlite, chDB)', postgres: false },
  { name: 'real PostgreSQL', postgres: true },
];

/**
 * Registers the tests of `body` twice: against a Fluxi on the embedded stores and against
 * one on the real PostgreSQL, each started once for the group (all services, gateway on a
 * free port, 4 executor slots) and stopped after it.
 */
export function describeOnBothStores(
  title: string,
  body: (fluxi: E2eFluxi) => void,
  /** More config flags (e.g. a test's shorter delays). */
  flags: Record<string, string | number | boolean> = {},
): void {
  describe.each(STORES)(`${title} — $name`, ({ postgres }) => {
    const dir = tempDir('fluxi-e2e-');
    let database: TestDatabase | undefined;
    const fluxi = { scratch: join(dir.path, 'scratch') } as E2eFluxi;

    beforeAll(async () => {
      mkdirSync(fluxi.scratch, { recursive: true });
      if (postgres) database = await createTestDatabase('fluxi_e2e');
      const config = loadConfig({
        flags: {
          dataDir: dir.path,
          'gateway.port': 0,
          'log.console': false,
          'executor.concurrency': 4,
          'executor.killGraceSec': 1,
          ...(database ? { 'database.url': database.url } : {}),
          ...flags,
        },
      });
      fluxi.system = await startFluxi(config, createLogger({ level: 'warn', console: false, dir: `${dir.path}/logs` }));
      fluxi.api = new FluxiApi(client(fluxi.system.url as string, fluxi.system.adminKey as string));
    });

    afterAll(async () => {
      await fluxi.system?.stop();
      await database?.drop();
      dir.remove();
    });

    body(fluxi);
  });
}
