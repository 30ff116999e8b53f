import { readdir, readFile } from 'node:fs/promises';

/**
 * A process group led by a job's process. Signals go to the whole group, so
 * children and grandchildren are stopped too; when to send which is the runner's
 * call (AttemptLifecycle).
 */
export class ProcessGroup {
  constructor(readonly pgid: number) {}

  /** Sends a signal to every process of the group; false when none is left. */
  signal(signal: NodeJS.Signals): boolean {
    try {
      process.kill(-this.pgid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** True while a live (non-zombie) process is in the group. */
  alive(): Promise<boolean> {
    return groupAlive(this.pgid);
  }
}

/**
 * Whether a live process is in group `pgid`. On Linux /proc is read so zombies
 * do not count: an orphan reparented to a PID 1 that does not reap stays a zombie
 * for ever, yet is dead. Elsewhere, `kill(-pgid, 0)`.
 */
export async function groupAlive(pgid: number): Promise<boolean> {
  // Fast path, and the common one: no process at all is left in the group.
  if (!signalZero(-pgid)) return false;
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return signalZero(-pgid);
  }
  const stats = await Promise.all(entries.filter((name) => /^\d+$/.test(name)).map((pid) => readStat(Number(pid))));
  return stats.some((stat) => stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X');
}

/** Whether process `pid` is alive: exists and is not a zombie. */
export async function processAlive(pid: number): Promise<boolean> {
  if (!signalZero(pid)) return false;
  const stat = await readStat(pid);
  return stat === undefined ? true : stat.state !== 'Z' && stat.state !== 'X';
}

interface ProcStat {
  state: string;
  pgrp: number;
}

async function readStat(pid: number): Promise<ProcStat | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp …" — comm may hold spaces and parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function signalZero(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
