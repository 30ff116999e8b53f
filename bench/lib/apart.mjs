// Baselines measured in a small child process: spawning from a process that holds PGlite and chDB
// (a large address space) costs several times more, which is why the executor is a process of its
// own; the direct spawn is measured as a small process does it (see bench/dispatch).
import { fork } from 'node:child_process';

/** Runs `script` with `args` in a child process and resolves with the first message it sends. */
export function measureApart(script, args) {
  const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.on('message', (message) => resolve(message));
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`baseline process exited with ${code}`)));
  });
}

/** Median and percentiles of a list of numbers. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
