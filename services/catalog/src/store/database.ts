import { join } from 'node:path';
import { migrate, openDatabase, type Database } from '@fluxi/db';
import { migrations } from './migrations.js';

export const SCHEMA = 'catalog';

export interface CatalogDatabaseOptions {
  /** PostgreSQL URL; when unset, PGlite in `${dataDir}/db/catalog`. */
  url?: string | undefined;
  dataDir: string;
}

/** Opens the catalog's database and brings its schema up to date. */
export async function openCatalogDatabase(options: CatalogDatabaseOptions): Promise<Database> {
  const db = await openDatabase({ url: options.url, embeddedDir: join(options.dataDir, 'db', SCHEMA), schema: SCHEMA });
  try {
    await migrate(db, migrations);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
