import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { forgetOwner, ownerAlive, recordedOwners, recordOwner, thisOwner } from './work-owners.js';

export type Workdir =
  | {
      path: string;
      /** Frees the path at once (the folder renamed aside) and returns its deletion, to run later. */
      cleanup(): Promise<() => Promise<void>>;
    }
  | { error: string };

const NOTHING = async () => undefined;
/** Marks a folder moved aside for deletion: `<jobRunId>.removing-<uuid>`. */
const ASIDE = '.removing-';

/**
 * The folder a job runs in: the one it asks for (which must exist), or a fresh
 * `<dataDir>/work/<jobRunId>` that is removed after the run.
 */
export async function prepareWorkdir(requested: string, dataDir: string, jobRunId: string): Promise<Workdir> {
  if (requested !== '') {
    if (!isAbsolute(requested)) return { error: `workdir ${requested} is not an absolute path` };
    try {
      const info = await stat(requested);
      if (!info.isDirectory()) return { error: `workdir ${requested} is not a directory` };
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      return {
        error:
          code === 'ENOENT'
            ? `workdir ${requested} does not exist`
            : `workdir ${requested}: ${(cause as Error).message}`,
      };
    }
    return { path: requested, cleanup: async () => NOTHING };
  }
  const path = join(resolve(dataDir), 'work', jobRunId);
  try {
    // Before the folder exists: a folder nobody recorded, or whose owner died, is a leftover.
    recordOwner(dataDir, jobRunId);
    // mkdir names the first folder it made, nothing when the folder was there already: one
    // left by a crashed executor, stale, so it starts clean. The usual case (a new folder) is
    // made synchronously, as the record is (see recordOwner).
    if (mkdirSync(path, { recursive: true }) === undefined) {
      await rm(path, { recursive: true, force: true });
      await mkdir(path, { recursive: true });
    }
  } catch (cause) {
    return { error: `could not create the work folder ${path}: ${(cause as Error).message}` };
  }
  return {
    path,
    // The record goes with the folder: a retry of the job run records itself anew.
    cleanup: async () => {
      const deletion = await moveAside(path);
      forgetOwner(dataDir, jobRunId);
      return deletion;
    },
  };
}

/**
 * Moves aside (for sweepWorkFolders) the work folders whose attempt is over: those of an
 * executor that died mid-job (its recorded owner gone) or of a version that recorded none.
 * Folders of a live executor sharing the data folder stay. Returns how many; renames only, so
 * it is quick enough to finish before this executor takes its first job. Without /proc (no
 * owners recorded) it leaves them.
 */
export async function setAsideLeftovers(dataDir: string): Promise<number> {
  if (thisOwner() === null) return 0;
  const work = join(resolve(dataDir), 'work');
  const names = await readdir(work).catch((): string[] => []);
  let count = 0;
  for (const name of names) {
    if (name.includes(ASIDE) || name.startsWith('.') || (await ownerAlive(dataDir, name))) continue;
    try {
      renameSync(join(work, name), join(work, `${name}${ASIDE}${randomUUID()}`));
      count += 1;
    } catch (error) {
      // Gone meanwhile: another executor sharing the data folder swept it.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    forgetOwner(dataDir, name);
  }
  // Records of folders never made (the owner died between the two) or already gone.
  for (const name of await recordedOwners(dataDir)) {
    if (!names.includes(name) && !(await ownerAlive(dataDir, name))) forgetOwner(dataDir, name);
  }
  return count;
}

/**
 * Deletes the work folders an executor moved aside but stopped before deleting (they are never
 * in use); returns how many. Run at the executor's start.
 */
export async function sweepWorkFolders(dataDir: string): Promise<number> {
  const work = join(resolve(dataDir), 'work');
  let names: string[];
  try {
    names = await readdir(work);
  } catch {
    return 0;
  }
  const aside = names.filter((name) => name.includes(ASIDE));
  await Promise.all(aside.map((name) => rm(join(work, name), { recursive: true, force: true })));
  return aside.length;
}

/**
 * Renames a work folder aside, so a retry of the same job run can make its folder at once, and
 * returns the deletion of the renamed one. When the rename fails (the job removed its own folder,
 * or moved it), the folder is deleted where it is, before returning.
 */
async function moveAside(path: string): Promise<() => Promise<void>> {
  const aside = `${path}${ASIDE}${randomUUID()}`;
  try {
    // Synchronous for the reason recordOwner is: it is on the way to the finished event.
    renameSync(path, aside);
  } catch {
    await rm(path, { recursive: true, force: true });
    return NOTHING;
  }
  return () => rm(aside, { recursive: true, force: true });
}
