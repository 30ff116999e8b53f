import { constants, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/** Written by initdb: a data folder that has it is a database already. */
const MARKER = 'PG_VERSION';

/**
 * Where templates are kept: `FLUXI_PGLITE_TEMPLATE_DIR`, else a folder of this user's in the
 * system's temporary folder. A database is copied from it, so it must be nobody else's: a
 * folder another user could write to (or a link) is refused, and initdb runs instead.
 */
function templateRoot(): string {
  const uid = process.getuid?.();
  const root =
    process.env['FLUXI_PGLITE_TEMPLATE_DIR'] ??
    join(tmpdir(), uid === undefined ? 'fluxi-pglite-templates' : `fluxi-pglite-templates-${uid}`);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const info = lstatSync(root);
  if (!info.isDirectory() || (uid !== undefined && info.uid !== uid) || (info.mode & 0o022) !== 0) {
    throw new Error(`${root} is not a folder of this user's that only it can write to`);
  }
  return root;
}

/** PGlite's version: a template is made by, and only used for, one version. */
function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  for (let folder = dirname(entry); folder !== dirname(folder); folder = dirname(folder)) {
    const manifest = join(folder, 'package.json');
    if (!existsSync(manifest)) continue;
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    if (parsed.name === '@electric-sql/pglite' && typeof parsed.version === 'string') return parsed.version;
  }
  throw new Error('cannot find the version of @electric-sql/pglite');
}

let making: Promise<string> | undefined;

/** The template folder of this PGlite version, made when missing (once per process at a time). */
async function template(): Promise<string> {
  const folder = join(templateRoot(), `pglite-${pgliteVersion()}`);
  if (existsSync(join(folder, MARKER))) return folder;
  making ??= makeTemplate(folder).finally(() => {
    making = undefined;
  });
  return making;
}

/**
 * Runs initdb in a folder of its own, shuts the database down cleanly and renames the
 * folder into place: a process killed meanwhile leaves no half template, and of two
 * processes making one at once, the second finds the first's and drops its own.
 */
async function makeTemplate(folder: string): Promise<string> {
  mkdirSync(dirname(folder), { recursive: true });
  const building = `${folder}.${process.pid}.${Date.now()}`;
  try {
    const db = await PGlite.create(building);
    await db.close();
    try {
      renameSync(building, folder);
    } catch (error) {
      if (!existsSync(join(folder, MARKER))) throw error;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return folder;
}

/**
 * Fills an empty (or missing) data folder with a copy of a new, empty database, so that
 * PGlite opens it instead of running initdb there. initdb is most of what a new embedded
 * database costs (about 3 s of WebAssembly and, for a moment, a second instance's memory);
 * a copy of its result is about 0.1 s. Every new installation makes two (catalog and
 * scheduler), every test with a fresh folder too. A folder with anything in it is left
 * as it is.
 */
export async function seedFromTemplate(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) return;
  try {
    // Off the event loop (other services start meanwhile); a copy-on-write clone where the file system has them.
    await cp(await template(), dir, { recursive: true, mode: constants.COPYFILE_FICLONE });
  } catch {
    // No template (a read-only temporary folder, a full disk): PGlite runs initdb as before.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
}
