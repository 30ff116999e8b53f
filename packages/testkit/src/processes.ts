import { readdirSync, readFileSync } from 'node:fs';

/** True while `pid` runs; a zombie waiting for a reaper counts as gone (Linux /proc). */
export function processAlive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Pids of live processes whose command line mentions `text`. */
export function processesWith(text: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text) && processAlive(pid);
      } catch {
        return false;
      }
    });
}
