import type { EmbeddedDatabaseSettings } from '@fluxi/common';
import pg from 'pg';
import type { Database, SqlExecutor } from './database.js';
import { defaultEmbeddedSettings } from './pglite-settings.js';
import { openSharedPglite } from './pglite-shared.js';

export interface OpenDatabaseOptions {
  /** postgres:// URL; when unset, an embedded PGlite database in `embeddedDir`. */
  url?: string | undefined;
  /** Folder of the embedded database (used only when `url` is unset). */
  embeddedDir: string;
  /** Schema owned by the service, e.g. `catalog`. */
  schema: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /** Memory settings of the embedded database (config `database.embedded`); its defaults when unset. */
  embedded?: EmbeddedDatabaseSettings | undefined;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (!SCHEMA_NAME.test(options.schema)) throw new Error(`invalid schema name ${options.schema}`);
  return options.url === undefined
    ? openSharedPglite(options.embeddedDir, options.schema, options.embedded ?? defaultEmbeddedSettings())
    : openPostgres(options);
}

async function openPostgres(options: OpenDatabaseOptions): Promise<Database> {
  const { schema } = options;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    options: `-c search_path=${schema}`,
  });
  // An idle client that loses its server emits 'error'; the pool replaces it on next use.
  pool.on('error', () => undefined);
  const run = async <T extends object>(client: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]) =>
    (await client.query(sql, params as unknown[] | undefined)).rows as T[];
  const db: Database = {
    kind: 'postgres',
    schema,
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: SqlExecutor = { query: (sql, params) => run(client, sql, params) };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
  // `CREATE SCHEMA IF NOT EXISTS` is not safe when two processes run it at once: the loser fails
  // on pg_namespace's unique index (23505). Replicas starting together take turns instead.
  try {
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`fluxi-schema-${schema}`]);
      await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return db;
}
