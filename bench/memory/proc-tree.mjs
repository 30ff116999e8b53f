// Resident memory of a process and all its descendants, read from /proc (Linux): per process its
// VmRSS (/proc/<pid>/status) and PSS (/proc/<pid>/smaps_rollup: shared pages split between their
// users, so a sum of PSS does not count a shared library twice), in bytes.
import { readdirSync, readFileSync } from 'node:fs';

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone meanwhile, or not readable
  }
};

/** pid → parent pid of every process readable now. */
function parents() {
  const out = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (stat === undefined) continue;
    // The name (field 2) is in parentheses and may hold spaces: the parent pid is after the last ')'.
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(Number(name), Number(after[1]));
  }
  return out;
}

const kB = (text, field) => {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text ?? '');
  return match ? Number(match[1]) * 1024 : 0;
};

/** A short name: the executable, with a hint for the Fluxi processes and the guard shells. */
function label(pid) {
  const comm = (read(`/proc/${pid}/comm`) ?? '?').trim();
  const args = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean);
  if (comm === 'node' || comm.startsWith('node')) {
    if (args.some((a) => a.endsWith('executor.config.json'))) return 'node (executor process)';
    return 'node (launcher: gateway, catalog, scheduler, logs)';
  }
  if (comm === 'sh') return 'sh (exit guard)';
  return comm;
}

/** The tree under `root` (root included): [{ pid, name, rss, pss }]. */
export function treeMemory(root) {
  const parentOf = parents();
  const pids = [root];
  for (let i = 0; i < pids.length; i++) {
    for (const [pid, parent] of parentOf) if (parent === pids[i]) pids.push(pid);
  }
  return pids
    .map((pid) => ({
      pid,
      name: label(pid),
      rss: kB(read(`/proc/${pid}/status`), 'VmRSS'),
      pss: kB(read(`/proc/${pid}/smaps_rollup`), 'Pss'),
    }))
    .filter((p) => p.rss > 0);
}
