import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FluxiError } from '@fluxi/common';

/** Written by initdb: a folder that has it holds a database. */
const MARKER = 'PG_VERSION';

/** Folder, under a data folder, of the embedded database the catalog and the scheduler share. */
export const SHARED_EMBEDDED_DIR = 'shared';

/**
 * The folder of a service's embedded database in `dataDir`.
 *
 * - `db/<schema>`: a database of the service's own already there (made by an earlier version,
 *   or by a process running this service alone). Kept: its data stays where it is.
 * - `db/shared`: when the catalog and the scheduler run in this process (`shared`), one PGlite
 *   holds both, a schema each (`openDatabase` shares an instance per folder and process).
 * - `db/<schema>` again for a service running alone, unless `db/shared` already holds its data:
 *   that is refused, since a second process must not open the same PGlite folder.
 */
export function embeddedDatabaseDir(dataDir: string, schema: string, shared: boolean): string {
  const own = join(dataDir, 'db', schema);
  if (existsSync(join(own, MARKER))) return own;
  const together = join(dataDir, 'db', SHARED_EMBEDDED_DIR);
  if (shared) return together;
  if (existsSync(join(together, MARKER))) {
    throw new FluxiError(
      'BAD_USER_INPUT',
      `the embedded database in ${together} holds the catalog and the scheduler together: run both in one ` +
        `process (fluxi-server --target all) or give each service a PostgreSQL database (database.url)`,
      { field: 'database.url' },
    );
  }
  return own;
}
