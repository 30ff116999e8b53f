import { join } from 'node:path';
import type { EmbeddedDatabaseSettings } from '@fluxi/common';
import { migrate, openDatabase, type Database } from '@fluxi/db';
import { migrations } from './migrations.js';

export const SCHEMA = 'catalog';

export interface CatalogDatabaseOptions {
  /** PostgreSQL URL; when unset, PGlite in `${dataDir}/db/catalog`. */
  url?: string | undefined;
  dataDir: string;
  /** Memory settings of the embedded database (config `database.embedded`). */
  embedded?: EmbeddedDatabaseSettings | undefined;
}

/** Opens the catalog's database and brings its schema up to date. */
export async function openCatalogDatabase(options: CatalogDatabaseOptions): Promise<Database> {
  const db = await openDatabase({
    url: options.url,
    embeddedDir: join(options.dataDir, 'db', SCHEMA),
    schema: SCHEMA,
    embedded: options.embedded,
  });
  try {
    await migrate(db, migrations);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
