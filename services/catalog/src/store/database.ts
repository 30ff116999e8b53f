import type { EmbeddedDatabaseSettings } from '@fluxi/common';
import { embeddedDatabaseDir, migrate, openDatabase, type Database } from '@fluxi/db';
import { migrations } from './migrations.js';

export const SCHEMA = 'catalog';

export interface CatalogDatabaseOptions {
  /** PostgreSQL URL; when unset, PGlite in `${dataDir}/db/catalog` or `db/shared` (`embeddedDatabaseDir`). */
  url?: string | undefined;
  dataDir: string;
  /** The scheduler runs in this process too: an embedded database shares its PGlite. */
  shared?: boolean | undefined;
  /** Memory settings of the embedded database (config `database.embedded`). */
  embedded?: EmbeddedDatabaseSettings | undefined;
}

/** Opens the catalog's database and brings its schema up to date. */
export async function openCatalogDatabase(options: CatalogDatabaseOptions): Promise<Database> {
  const db = await openDatabase({
    url: options.url,
    embeddedDir: embeddedDatabaseDir(options.dataDir, SCHEMA, options.shared === true),
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
