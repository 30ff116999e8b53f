import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { generateSecretKey, loadConfig, silentLogger } from '@fluxi/common';
import { encodePrincipal, PRINCIPAL_HEADER, type Principal } from '@fluxi/graphql';
import { createTestDatabase, startNatsServer, tempDir, type TestDatabase } from '@fluxi/testkit';
import { start, type CatalogService } from '../src/index.js';
import type { Data } from './catalog-harness.js';

/**
 * Catalogs started and stopped on one PostgreSQL database and NATS server, each with the master
 * key (and previous keys) a key-rotation test gives. Registers its hooks in the calling describe.
 */
export interface RotationHarness {
  readonly keyA: string;
  readonly keyB: string;
  /** Run after each test, last first (a test may also pop and run one itself). */
  readonly cleanups: Array<() => Promise<unknown> | unknown>;
  databaseUrl(): string;
  natsUrl(): string;
  startWith(masterKey: string, previousKeys?: string[]): Promise<CatalogService>;
  /** A GraphQL request as `principal`; fails the test on an error answer. */
  gql(service: CatalogService, principal: Principal, query: string, variables?: Record<string, unknown>): Promise<Data>;
}

export function rotationHarness(name: string): RotationHarness {
  const keyA = generateSecretKey().toString('base64');
  const keyB = generateSecretKey().toString('base64');
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  let database: TestDatabase | undefined;
  let natsServer: Awaited<ReturnType<typeof startNatsServer>> | undefined;
  const dir = tempDir(`fluxi-catalog-${name}-`);

  beforeAll(async () => {
    database = await createTestDatabase('fluxi_catalog');
    natsServer = await startNatsServer();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await natsServer?.stop();
    await database?.drop();
    dir.remove();
  });

  return {
    keyA,
    keyB,
    cleanups,
    databaseUrl: () => (database as TestDatabase).url,
    natsUrl: () => (natsServer as { url: string }).url,
    async startWith(masterKey, previousKeys = []) {
      const config = loadConfig({
        flags: { dataDir: dir.path, 'database.url': (database as TestDatabase).url },
        env: {},
      });
      config.secrets.masterKey = masterKey;
      config.secrets.previousKeys = previousKeys;
      return start({
        config,
        natsUrl: (natsServer as { url: string }).url,
        redisUrl: 'redis://unused',
        logger: silentLogger(),
      });
    },
    async gql(service, principal, query, variables = {}) {
      const response = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [PRINCIPAL_HEADER]: encodePrincipal(principal) },
        body: JSON.stringify({ query, variables }),
      });
      const answer = (await response.json()) as { data: Data; errors?: unknown[] };
      expect(answer.errors).toBeUndefined();
      return answer.data;
    },
  };
}
