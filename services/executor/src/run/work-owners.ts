import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { currentBootId, startTicks } from '../drivers/proc-identity.js';

/** Who made a work folder: a process (id and start time) of a boot. */
interface Owner {
  bootId: string;
  pid: number;
  start: number;
}

/** Where the owner of `<dataDir>/work/<jobRunId>` is written: `<dataDir>/work.owners/<jobRunId>`. */
function ownersDir(dataDir: string): string {
  return join(resolve(dataDir), 'work.owners');
}

function ownerFile(dataDir: string, jobRunId: string): string {
  return join(ownersDir(dataDir), jobRunId);
}

let me: Owner | null | undefined;

/** This process as an owner; null without /proc (no record is written, no unrecorded folder swept). */
export function thisOwner(): Owner | null {
  if (me === undefined) {
    const bootId = currentBootId();
    const start = startTicks(process.pid);
    me = bootId === undefined || start === undefined ? null : { bootId, pid: process.pid, start };
  }
  return me;
}

/**
 * Records this process as the owner of the work folder of `jobRunId`, before the folder is made.
 * Synchronous, as the folder's own calls on a job's path to its command: a small local write
 * blocks for tens of microseconds, while the promise API's open, write and close each wait
 * for the thread pool (~1 ms together on a busy two-core machine, on every job).
 */
export function recordOwner(dataDir: string, jobRunId: string): void {
  const owner = thisOwner();
  if (owner === null) return;
  const file = ownerFile(dataDir, jobRunId);
  try {
    writeFileSync(file, JSON.stringify(owner));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(ownersDir(dataDir), { recursive: true });
    writeFileSync(file, JSON.stringify(owner));
  }
}

/** Removes the owner record of `jobRunId`'s work folder (once the folder left its path). */
export function forgetOwner(dataDir: string, jobRunId: string): void {
  rmSync(ownerFile(dataDir, jobRunId), { force: true });
}

/** Whether the process recorded as owner of `jobRunId`'s work folder still runs; false when none is recorded. */
export async function ownerAlive(dataDir: string, jobRunId: string): Promise<boolean> {
  let owner: Partial<Owner>;
  try {
    owner = JSON.parse(await readFile(ownerFile(dataDir, jobRunId), 'utf8')) as Partial<Owner>;
  } catch {
    return false;
  }
  return owner.bootId === currentBootId() && typeof owner.pid === 'number' && startTicks(owner.pid) === owner.start;
}

/** The job run ids that have an owner record. */
export async function recordedOwners(dataDir: string): Promise<string[]> {
  return readdir(ownersDir(dataDir)).catch((): string[] => []);
}
