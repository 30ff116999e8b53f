import { mkdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '@fluxi/common';
import { clientLoggerClass } from './client-logger.js';

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

export interface ClickHouseOptions {
  /** ClickHouse server URL (its path may name the database); in-process chDB when unset. */
  url: string | undefined;
  /** chDB data folder, used when `url` is unset. */
  chdbPath: string;
  logger: Logger;
}

/** A ClickHouse client, whichever engine is behind it, and how to let it go. */
export interface ClickHouseHandle {
  client: ClickHouseClient;
  engine: 'server' | 'chdb';
  /**
   * Inserts a TabSeparated body into `columns` of `table`. chDB takes the bytes as they are
   * (its native parser reads them; the client's insert would copy them into one string first).
   */
  insertTsv(table: string, columns: readonly string[], body: Buffer): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the log store's ClickHouse client. The only place that knows whether a
 * server or the embedded chDB answers: everything else runs the same SQL on
 * the same `@clickhouse/client` API.
 */
export async function openClickHouse(options: ClickHouseOptions): Promise<ClickHouseHandle> {
  const log = { LoggerClass: clientLoggerClass(options.logger) };
  if (options.url !== undefined) {
    const client = createClient({ url: options.url, application: 'fluxi-logs', log });
    const insertTsv = async (table: string, columns: readonly string[], body: Buffer) => {
      await client.insert({ table, columns: nonEmpty(columns), format: 'TabSeparated', values: Readable.from([body]) });
    };
    return { client, engine: 'server', insertTsv, close: () => client.close() };
  }
  // Loaded only here, so a service pointed at a server never loads the native engine.
  const [{ createChdbConnection }, { drainPending }] = await Promise.all([import('chdb/connection'), import('chdb')]);
  mkdirSync(options.chdbPath, { recursive: true });
  // chDB binds one data folder per process: opening a second client at the same
  // path shares the engine; a different path is refused until every connection
  // to this one has closed and drained.
  const connection = createChdbConnection({ path: options.chdbPath });
  // chdb types its Connection against @clickhouse/client-common 1.23.0, while
  // @clickhouse/client 1.23.1 bundles its own copy of those types whose
  // ClickHouseSettings gained keys: structurally the same contract, nominally two.
  const client = createClient({ connection: connection as unknown as ClientConnection, log });
  return {
    client,
    engine: 'chdb',
    async insertTsv(table, columns, body) {
      await connection.chdb.rawInsert({ table, columns, format: 'TabSeparated', values: body });
    },
    async close() {
      await client.close();
      // close() returns before the native connection is gone when a query is still
      // running on it; the folder is free (for a restart or another path) only after this.
      await drainPending();
    },
  };
}

function nonEmpty(columns: readonly string[]): [string, ...string[]] {
  const [first, ...rest] = columns;
  if (first === undefined) throw new Error('an insert needs at least one column');
  return [first, ...rest];
}
