import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';

/**
 * Clean-up of a private dockerd after it is gone: what a dockerd killed with SIGKILL
 * leaves behind (containerd shims and the containers under them, mounts under its
 * folders) and the folders themselves. Linux only (reads /proc).
 */

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Parent pid of every live process, from /proc/<pid>/stat (the field after the `(comm)`). */
function parentPids(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProc(`/proc/${name}/stat`);
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') continue;
    parents.set(Number(name), Number(fields[1]));
  }
  return parents;
}

/**
 * Live processes whose command line names `dir` (containerd, the shims: they are given
 * the containerd socket under the exec root), with all their descendants (the containers).
 */
export function processesUnder(dir: string): number[] {
  const parents = parentPids();
  const found = new Set<number>();
  for (const pid of parents.keys()) {
    if (pid === process.pid) continue;
    const cmdline = readProc(`/proc/${pid}/cmdline`);
    if (cmdline?.includes(dir)) found.add(pid);
  }
  let grew = found.size > 0;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!found.has(pid) && found.has(parent)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found];
}

/** SIGKILLs each pid, ignoring those already gone. */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Mount points at or under `dir` (this process's mount namespace), deepest first. */
export function mountsUnder(dir: string): string[] {
  const mountinfo = readProc('/proc/self/mountinfo') ?? '';
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    // mountinfo escapes space, tab, newline and backslash as octal.
    .map((point) => point.replace(/\\([0-7]{3})/g, (_, code: string) => String.fromCharCode(parseInt(code, 8))))
    .filter((point) => point === dir || point.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

function unmountLazily(point: string): Promise<void> {
  return new Promise((resolve) => execFile('umount', ['-l', point], { timeout: 5000 }, () => resolve()));
}

/** Lazily unmounts everything under `dir`, then removes it (vfs data roots can be large). */
export async function removeEngineDir(dir: string): Promise<void> {
  for (const point of mountsUnder(dir)) await unmountLazily(point);
  await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 200 });
}
