import type { JobRunState } from './model.js';

/** What decides whom a job run waits for; it never changes while its run advances. */
export type WaitShape = Pick<JobRunState, 'entry' | 'stageIndex' | 'needs' | 'startAtOnce'>;

/** The positions in `all` of the job runs `jobRun` waits for: those of the entries it needs, or every job run of earlier stages. */
function waitedPositions(
  jobRun: Pick<JobRunState, 'needs' | 'stageIndex' | 'startAtOnce'>,
  all: readonly Pick<JobRunState, 'entry' | 'stageIndex'>[],
): number[] {
  const found: number[] = [];
  if (jobRun.startAtOnce === true) return found;
  const waited =
    jobRun.needs.length > 0
      ? (other: Pick<JobRunState, 'entry' | 'stageIndex'>) => jobRun.needs.includes(other.entry)
      : (other: Pick<JobRunState, 'entry' | 'stageIndex'>) => other.stageIndex < jobRun.stageIndex;
  all.forEach((other, position) => {
    if (waited(other)) found.push(position);
  });
  return found;
}

/** The job runs a job run waits for: those of the entries it needs, or every job run of earlier stages. */
export function waitsFor<T extends Pick<JobRunState, 'entry' | 'stageIndex'>>(
  jobRun: Pick<JobRunState, 'needs' | 'stageIndex' | 'startAtOnce'>,
  all: readonly T[],
): T[] {
  return waitedPositions(jobRun, all).map((position) => all[position] as T);
}

/**
 * Whom each job run of a run waits for, directly and through them, as positions in the
 * run's list of job runs, each worked out once. A run advancing changes statuses, never
 * who waits for whom, so one graph serves a whole `release` while the caller reads the
 * statuses from its current list. (Recomputed for every job run at every event, the
 * closures cost O(n³) a step: ~1.4 ms for a 40-stage chain, seconds for large runs.)
 */
export class WaitGraph {
  private readonly direct: (readonly number[] | undefined)[] = [];
  private readonly closure: (readonly number[] | undefined)[] = [];

  constructor(private readonly shape: readonly WaitShape[]) {}

  /** The positions a job run waits for: those of the entries it needs, or every job run of earlier stages; in list order. */
  waitsFor(index: number): readonly number[] {
    const known = this.direct[index];
    if (known !== undefined) return known;
    const found = waitedPositions(this.shape[index] as WaitShape, this.shape);
    this.direct[index] = found;
    return found;
  }

  /** Every position a job run waits for, directly or through them (depth first, nearest last-listed first). */
  upstreamOf(index: number): readonly number[] {
    const known = this.closure[index];
    if (known !== undefined) return known;
    const seen = new Set<number>();
    const stack = [...this.waitsFor(index)];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      if (seen.has(next)) continue;
      seen.add(next);
      for (const up of this.waitsFor(next)) if (!seen.has(up)) stack.push(up);
    }
    const found = [...seen];
    this.closure[index] = found;
    return found;
  }

  /**
   * The first position upstream of `index`, in upstreamOf()'s order, whose job run
   * `matches`; undefined when none. Each job run's answer is worked out once from those of
   * what it waits for (a node met before in upstreamOf()'s walk had nothing matching in its
   * own closure), so a question costs one pass over who waits for whom instead of a walk
   * per job run. `memo` holds the answers of one question while what it asks about does not
   * change (a release never makes a job run FAILED or CANCELLED).
   */
  firstUpstream(
    index: number,
    matches: (position: number) => boolean,
    memo: Map<number, number | null>,
  ): number | undefined {
    const known = memo.get(index);
    if (known !== undefined) return known ?? undefined;
    // Marked first: a plan with a cycle (never a valid one) must not loop.
    memo.set(index, null);
    const direct = this.waitsFor(index);
    let found: number | undefined;
    for (let i = direct.length - 1; i >= 0 && found === undefined; i -= 1) {
      const position = direct[i] as number;
      found = matches(position) ? position : this.firstUpstream(position, matches, memo);
    }
    memo.set(index, found ?? null);
    return found;
  }
}
