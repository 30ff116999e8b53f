import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { EmbeddedDatabaseSettings } from '@fluxi/common';
import type { Database, SqlExecutor } from './database.js';
import { pgliteSettingArgs } from './pglite-settings.js';
import { PreparedStatements } from './pglite-statements.js';
import { seedFromTemplate } from './pglite-template.js';

/** One PGlite of a data folder in this process, and the schema its session is set to. */
interface Instance {
  pglite: PGlite;
  /** Every handle's statements, prepared once per schema and text. */
  statements: PreparedStatements;
  handles: number;
  /** The session's search_path: the schema of the last handle that ran a statement. */
  active: string | undefined;
  /** Every statement and transaction of every handle, one after another. */
  tail: Promise<unknown>;
}

const instances = new Map<string, Promise<Instance>>();
/** Instances being closed: a new one on the same folder opens only once the old one is shut. */
const closing = new Map<string, Promise<void>>();

async function openInstance(dir: string, settings: EmbeddedDatabaseSettings): Promise<Instance> {
  // A new database starts as a copy of an empty one instead of running initdb (pglite-template.ts).
  await seedFromTemplate(dir);
  // PGlite's own parameters (single-user mode, no parallel workers…), then ours: a later -c wins.
  const pglite = await PGlite.create(dir, {
    startParams: [...PGlite.defaultStartParams, ...pgliteSettingArgs(settings)],
  });
  return { pglite, statements: new PreparedStatements(pglite), handles: 0, active: undefined, tail: Promise.resolve() };
}

/**
 * Runs `fn` once every earlier statement of the instance is done, with the session's
 * search_path set to `schema` first when another handle's schema was active. This queue is what
 * runs one statement or transaction at a time: the prepared statements' exchanges
 * (`execProtocol`) do not wait for PGlite's own queries the way those wait for each other. It
 * also keeps the schema switch and the work it is for together.
 */
function exclusive<T>(instance: Instance, schema: string, fn: () => Promise<T>): Promise<T> {
  const run = instance.tail.then(async () => {
    if (instance.active !== schema) {
      instance.active = undefined;
      await instance.pglite.exec(`SET search_path TO ${schema}`);
      instance.active = schema;
    }
    return fn();
  });
  instance.tail = run.catch(() => undefined);
  return run;
}

/** The instance of folder `key` with one more handle: the open one, or a new one once any old one is shut. */
async function acquire(key: string, settings: EmbeddedDatabaseSettings): Promise<Instance> {
  for (;;) {
    await closing.get(key);
    let opening = instances.get(key);
    if (opening === undefined) {
      opening = openInstance(key, settings);
      instances.set(key, opening);
      const failed = opening;
      failed.catch(() => instances.get(key) === failed && instances.delete(key));
    }
    const instance = await opening;
    // Its last handle may have closed it while this one waited: then open again.
    if (instances.get(key) !== opening) continue;
    instance.handles += 1;
    return instance;
  }
}

/**
 * Opens `schema` in the embedded database of `dir`. Handles opened in one process on the same
 * folder share one PGlite (a PGlite costs ~60 MB at least: its WebAssembly memory, compiled
 * code and buffers), each with its own schema as search_path; the last handle closed closes it.
 * The first handle's settings are the instance's. Never open one folder from two processes.
 * A transaction must not wait for the other service (a NATS request it answers from its
 * database): on one instance that request would wait behind the transaction until it times out.
 */
export async function openSharedPglite(
  dir: string,
  schema: string,
  settings: EmbeddedDatabaseSettings,
): Promise<Database> {
  const key = resolve(dir);
  const instance = await acquire(key, settings);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    instance.handles -= 1;
    if (instance.handles > 0) return;
    instances.delete(key);
    const shut = instance.tail.then(() => instance.pglite.close());
    const settled = shut.catch(() => undefined);
    closing.set(key, settled);
    try {
      await shut;
    } finally {
      if (closing.get(key) === settled) closing.delete(key);
    }
  };
  try {
    await exclusive(instance, schema, () => instance.pglite.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
  } catch (error) {
    await close();
    throw error;
  }
  const { statements } = instance;
  return {
    kind: 'pglite',
    schema,
    query: (sql, params) => exclusive(instance, schema, () => statements.query(schema, sql, params)),
    transaction: (fn) =>
      exclusive(instance, schema, () =>
        instance.pglite.transaction((tx) => {
          const executor: SqlExecutor = {
            query: (sql, params) => {
              // As tx.query would: nothing more once the transaction ended.
              if (tx.closed) return Promise.reject(new Error('Transaction is closed'));
              return statements.query(schema, sql, params);
            },
          };
          return fn(executor);
        }),
      ),
    close,
  };
}
