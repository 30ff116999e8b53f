import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote, spawnExitGuard, type Logger } from '@fluxi/common';
import { groupAlive } from './process-group.js';
import { currentBootId, startTicks } from './proc-identity.js';

/** Seconds a guarded group gets between SIGTERM and SIGKILL once its executor is gone. */
const DEFAULT_GRACE_SEC = 3;

/** Ends the guard of a process group that was stopped in order (or ended by itself). */
export interface GroupGuardHandle {
  release(): void;
}

/** Keeps a job's process group from outliving the executor that runs it. */
export interface GroupGuard {
  guardGroup(pgid: number): GroupGuardHandle;
}

/**
 * What a record says about a guarded group, so that a later executor of the same name
 * kills only that group: the same boot, the same group leader (or, the leader gone, the
 * members it left, which keep the group id from being reused), and an owner that died.
 */
interface GroupRecord {
  pgid: number;
  bootId: string;
  /** Start time of the group leader, in clock ticks since boot (/proc/<pid>/stat). */
  leaderStart: number;
  ownerPid: number;
  ownerStart: number;
}

/**
 * Two safeguards per job process group (the shell driver's detached `/bin/sh`):
 *
 * - a guard: a tiny shell per group reading a pipe from this process. The kernel closes
 *   the pipe when this process dies, even by SIGKILL; the shell then sends SIGTERM to the
 *   group and, `graceSec` later, SIGKILL. It runs in a group of its own so that a Ctrl-C
 *   in a terminal does not end it early.
 * - a record `<recordDir>/<pgid>.pgid` while the group runs, for what a guard cannot do
 *   (the guard killed too, a reboot of the container's PID namespace): the next start of
 *   an executor with the same name kills the groups listed there (`killLeftoverGroups`).
 *
 * `release()` removes both once the group was stopped in order.
 */
export class ProcessGroupGuard implements GroupGuard {
  private readonly graceSec: number;

  constructor(private readonly options: { recordDir?: string; graceSec?: number; logger?: Logger }) {
    this.graceSec = options.graceSec ?? DEFAULT_GRACE_SEC;
  }

  guardGroup(pgid: number): GroupGuardHandle {
    const record = this.record(pgid);
    if (record === undefined) return guardGroup(pgid, this.graceSec);
    // Recorded: the one guard of the folder covers the group (a guard per job cost a fork each).
    this.folderGuard ??= guardFolder(this.options.recordDir as string, this.graceSec);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        rmSync(record, { force: true });
      },
    };
  }

  /** Stops every group still recorded in the folder when this process dies; spawned once. */
  private folderGuard: GroupGuardHandle | undefined;
  /** This process's start time and the boot's id, as records hold them. */
  private owner: { start: number | undefined; bootId: string | undefined } | undefined;

  private record(pgid: number): string | undefined {
    const { recordDir, logger } = this.options;
    if (recordDir === undefined) return undefined;
    // A command as short as `echo` has often exited by now, unreaped: its group is recorded all the same.
    const leaderStart = startTicks(pgid, { exited: true });
    // This process and the boot do not change: read once.
    this.owner ??= { start: startTicks(process.pid), bootId: currentBootId() };
    const { start: ownerStart, bootId } = this.owner;
    // Without /proc (not Linux) a record could not be checked later: none is written.
    if (leaderStart === undefined || ownerStart === undefined || bootId === undefined) return undefined;
    const file = join(recordDir, `${pgid}.pgid`);
    const record: GroupRecord = { pgid, bootId, leaderStart, ownerPid: process.pid, ownerStart };
    try {
      try {
        writeFileSync(file, JSON.stringify(record));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        mkdirSync(recordDir, { recursive: true });
        writeFileSync(file, JSON.stringify(record));
      }
      return file;
    } catch (error) {
      logger?.warn({ err: error, pgid }, 'could not record a job process group; its guard alone protects it');
      return undefined;
    }
  }
}

/**
 * Stops process group `pgid` (SIGTERM, SIGKILL `graceSec` later) when this process dies
 * without releasing it first, even by SIGKILL. See ProcessGroupGuard.
 */
export function guardGroup(pgid: number, graceSec = DEFAULT_GRACE_SEC): GroupGuardHandle {
  if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`not a process group id: ${pgid}`);
  const grace = Math.max(0, Math.ceil(graceSec));
  return spawnExitGuard(`read -r _; kill -TERM -${pgid} 2>/dev/null; sleep ${grace}; kill -KILL -${pgid} 2>/dev/null`);
}

/**
 * Stops every process group recorded in `recordDir` (`<pgid>.pgid`) when this process dies
 * without releasing the guard, even by SIGKILL: SIGTERM, then SIGKILL `graceSec` later.
 */
function guardFolder(recordDir: string, graceSec: number): GroupGuardHandle {
  const grace = Math.max(0, Math.ceil(graceSec));
  // The groups are listed once, when this process is gone: a later executor of the same
  // name records its own groups in the same folder, and those must be left alone.
  const list = 'set --; for f in *.pgid; do [ -e "$f" ] && set -- "$@" "${f%.pgid}"; done';
  const each = (signal: string) => `for g in "$@"; do kill -${signal} -"$g" 2>/dev/null; done`;
  const script = `read -r _; cd ${shellQuote(recordDir)} 2>/dev/null || exit 0; ${list}; ${each('TERM')}; sleep ${grace}; ${each('KILL')}`;
  return spawnExitGuard(script);
}

/**
 * Kills the process groups a previous life of this executor recorded in `recordDir` and
 * left running (it died before it could stop them), and removes every record. A record
 * of another boot, of a group whose id now belongs to another leader, or of an owner
 * still alive (another executor sharing the folder) is left alone. Returns how many
 * groups were killed.
 */
export async function killLeftoverGroups(recordDir: string, logger: Logger): Promise<number> {
  let names: string[];
  try {
    names = readdirSync(recordDir).filter((name) => name.endsWith('.pgid'));
  } catch {
    return 0;
  }
  const bootId = currentBootId();
  let killed = 0;
  for (const name of names) {
    const file = join(recordDir, name);
    const record = readRecord(file);
    if (record !== undefined && startTicks(record.ownerPid) === record.ownerStart) continue;
    if (record !== undefined && bootId !== undefined && (await isLeftover(record, bootId))) {
      try {
        process.kill(-record.pgid, 'SIGKILL');
        killed += 1;
        logger.warn({ pgid: record.pgid }, 'killed a job process group a previous life of this executor left running');
      } catch {
        // Gone meanwhile.
      }
    }
    rmSync(file, { force: true });
  }
  return killed;
}

async function isLeftover(record: GroupRecord, bootId: string): Promise<boolean> {
  if (record.bootId !== bootId) return false;
  const leader = startTicks(record.pgid);
  // The leader lives: it must be the same process. Gone: its members still hold the id.
  if (leader !== undefined && leader !== record.leaderStart) return false;
  return groupAlive(record.pgid);
}

function readRecord(file: string): GroupRecord | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<GroupRecord>;
    const numbers = [value.pgid, value.leaderStart, value.ownerPid, value.ownerStart];
    if (numbers.some((n) => typeof n !== 'number' || !Number.isInteger(n)) || typeof value.bootId !== 'string') {
      return undefined;
    }
    if ((value.pgid as number) <= 1) return undefined;
    return value as GroupRecord;
  } catch {
    return undefined;
  }
}
