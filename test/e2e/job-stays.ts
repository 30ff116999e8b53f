import { existsSync, readFileSync } from 'node:fs';

/**
 * What the jobs of a test record about themselves: each appends `start <ns> <work folder>`
 * (and `end <ns> <work folder>`) to a shared file, with the time from `date +%s%N`. How many
 * ran at once, or how many started between two instants, is then read from those times.
 */

/** One job run's stay in its work folder (nanoseconds since the epoch). */
export interface Stay {
  folder: string;
  start: bigint;
  end: bigint | undefined;
}

/** A shell line appending `<what> <ns> <work folder>` to `log`. */
export const recordLine = (log: string, what: 'start' | 'end'): string =>
  `echo "${what} $(date +%s%N) $(pwd)" >> ${log}`;

/**
 * A command that appends its start to `log`, waits for `gate` to exist (created by the
 * test, or after it: the caller keeps the gate to create), then appends its end.
 */
export const gatedCommand = (log: string, gate: string): string =>
  `${recordLine(log, 'start')}; while [ ! -f ${gate} ]; do sleep 0.05; done; ${recordLine(log, 'end')}`;

/** The stays recorded in `log`, in the order they started. */
export function staysIn(log: string): Stay[] {
  const stays = new Map<string, Stay>();
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const match = /^(start|end) (\d+) (\S+)$/.exec(line);
    if (match === null) throw new Error(`unexpected line in ${log}: ${line}`);
    const [, what, ns = '', folder = ''] = match;
    const stay = stays.get(folder);
    if (what === 'start') stays.set(folder, { folder, start: BigInt(ns), end: undefined });
    else if (stay === undefined) throw new Error(`an end without its start in ${log}: ${line}`);
    else stay.end = BigInt(ns);
  }
  return [...stays.values()].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** The most stays open at one instant, from their times (one that has not ended is open until now). */
export function maxAtOnce(stays: readonly Stay[]): number {
  const edges = stays.flatMap((stay) => [
    { at: stay.start, delta: 1 },
    ...(stay.end === undefined ? [] : [{ at: stay.end, delta: -1 }]),
  ]);
  // At the same instant an end comes before a start: the two did not overlap.
  edges.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.delta - b.delta));
  let open = 0;
  let max = 0;
  for (const edge of edges) {
    open += edge.delta;
    max = Math.max(max, open);
  }
  return max;
}

/** Now, in the nanoseconds of the recorded times (wall clock, as `date +%s%N`). */
export const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

/** How many stays started in each span between consecutive `marks` (and before the first, after the last). */
export function startsBetween(stays: readonly Stay[], marks: readonly bigint[]): number[] {
  const counts = Array.from({ length: marks.length + 1 }, () => 0);
  for (const stay of stays) {
    const span = marks.filter((mark) => mark <= stay.start).length;
    counts[span] = (counts[span] ?? 0) + 1;
  }
  return counts;
}
