import { expect } from 'vitest';
import { loadConfig, silentLogger } from '@fluxi/common';
import { encodePrincipal, PRINCIPAL_HEADER, type Principal } from '@fluxi/graphql';
import { createTestDatabase, startNatsServer, tempDir } from '@fluxi/testkit';
import { start, type CatalogService } from '../src/index.js';
import type { BackendKind } from './backends.js';

export interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary GraphQL shapes
export type Data = Record<string, any>;

export const principal = (role: Principal['role']): Principal => ({
  userId: `U-${role}`,
  userName: role,
  role,
  keyId: `K-${role}`,
});
export const WRITER = principal('writer');
export const READER = principal('reader');

/** A catalog service on one backend (PGlite or PostgreSQL) with its own NATS server and data. */
export interface CatalogHarness {
  graphql(query: string, variables?: Record<string, unknown>, as?: Principal): Promise<GraphqlAnswer>;
  /** Runs an operation that must succeed and returns its data. */
  ok(query: string, variables?: Record<string, unknown>, as?: Principal): Promise<Data>;
  /** Runs an operation that must fail and returns its first error. */
  fail(
    query: string,
    variables?: Record<string, unknown>,
    as?: Principal,
  ): Promise<NonNullable<GraphqlAnswer['errors']>[0]>;
  stop(): Promise<void>;
  /** The catalog's NATS server and, on PostgreSQL, its database (to read tables directly). */
  natsUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
}

export async function startCatalog(kind: BackendKind): Promise<CatalogHarness> {
  const dir = tempDir('fluxi-catalog-defs-');
  const database = kind.name === 'postgres' ? await createTestDatabase('fluxi_catalog') : undefined;
  const nats = await startNatsServer();
  const flags: Record<string, string> = { dataDir: dir.path };
  if (database !== undefined) flags['database.url'] = database.url;
  const service: CatalogService = await start({
    config: loadConfig({ flags }),
    natsUrl: nats.url,
    redisUrl: 'redis://unused',
    logger: silentLogger(),
  });

  const graphql: CatalogHarness['graphql'] = async (query, variables = {}, as = WRITER) => {
    const response = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [PRINCIPAL_HEADER]: encodePrincipal(as) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphqlAnswer;
  };
  return {
    natsUrl: nats.url,
    databaseUrl: database?.url,
    dataDir: dir.path,
    graphql,
    async ok(query, variables, as) {
      const answer = await graphql(query, variables, as);
      expect(answer.errors).toBeUndefined();
      return answer.data as Data;
    },
    async fail(query, variables, as) {
      const answer = await graphql(query, variables, as);
      expect(answer.errors?.length).toBeGreaterThan(0);
      return answer.errors?.[0] as NonNullable<GraphqlAnswer['errors']>[0];
    },
    async stop() {
      await service.stop();
      await nats.stop();
      await database?.drop();
      dir.remove();
    },
  };
}
