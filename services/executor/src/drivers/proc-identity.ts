import { readFileSync } from 'node:fs';

/** This boot's id (Linux); undefined without /proc. A process id and start time mean one process within a boot. */
export function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Start time of process `pid` in clock ticks since boot; undefined when it does not exist (or no /proc).
 * A process that exited and was not reaped yet (a zombie) counts as gone unless `exited` is set: a
 * job's group leader is read that way, since a fast command may have ended before it is recorded
 * while its group (the id, and what the command left in the background) lives on.
 */
export function startTicks(pid: number, options: { exited?: boolean } = {}): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid … starttime(22nd field)": fields after the comm start at the 3rd.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    if (options.exited !== true && (state === 'Z' || state === 'X')) return undefined;
    const value = Number(fields[19]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
