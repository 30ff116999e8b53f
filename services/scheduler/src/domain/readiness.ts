import type { JobRunState, RunState } from './model.js';
import { holdsRun, isTerminal, type RunStatus } from './status.js';
import { WaitGraph, waitsFor } from './wait-graph.js';

export { waitsFor };

export type Readiness = { state: 'ready' } | { state: 'waiting' } | { state: 'blocked'; reason: string };

/** A failure that fails the run: FAILED without allowFailure. */
export const isBlockingFailure = (
  jobRun: Pick<JobRunState, 'status' | 'allowFailure'> &
    Partial<Pick<JobRunState, 'allowFailureExitCodes' | 'exitCode'>>,
): boolean =>
  jobRun.status === 'FAILED' &&
  !jobRun.allowFailure &&
  !(typeof jobRun.exitCode === 'number' && (jobRun.allowFailureExitCodes ?? []).includes(jobRun.exitCode));

/** The job runs whose artifacts `jobRun` takes: those it waits for, narrowed by its `artifactsFrom`. */
export function artifactSourcesOf<T extends Pick<JobRunState, 'entry' | 'stageIndex'>>(
  jobRun: Pick<JobRunState, 'needs' | 'stageIndex' | 'startAtOnce' | 'artifactsFrom'>,
  all: readonly T[],
): T[] {
  const from = jobRun.artifactsFrom;
  const waited = waitsFor(jobRun, all);
  return from === undefined || from === null ? waited : waited.filter((other) => from.includes(other.entry));
}

/**
 * Whether a job run of this frozen spec (proto JSON, where an empty list is left out) can have
 * saved artifacts: only a job with artifact paths saves any. A source that cannot is not sent to
 * the executor, which would otherwise look each one up before the command starts.
 */
export function savesArtifacts(spec: unknown): boolean {
  if (typeof spec !== 'object' || spec === null) return false;
  const paths = (spec as { artifactPaths?: unknown }).artifactPaths;
  return Array.isArray(paths) && paths.length > 0;
}

/** Every job run `jobRun` waits for, directly or through them. */
export function upstreamOf(jobRun: JobRunState, all: readonly JobRunState[]): JobRunState[] {
  const { graph, list, index } = graphOf(jobRun, all);
  return graph.upstreamOf(index).map((position) => list[position] as JobRunState);
}

/** A graph of `all` and the position of `jobRun` in it (appended when it is not in `all`). */
function graphOf(jobRun: JobRunState, all: readonly JobRunState[]) {
  const found = all.findIndex((other) => other.id === jobRun.id);
  const list = found === -1 ? [...all, jobRun] : all;
  return { graph: new WaitGraph(list), list, index: found === -1 ? all.length : found };
}

/**
 * Whether a PENDING job run can start, by its `when`:
 * - on_success: once all it waits for ended and nothing upstream failed or was
 *   cancelled; blocked as soon as something upstream did;
 * - on_failure: once all it waits for ended, if something upstream failed; else blocked;
 * - always: once all it waits for ended.
 * A need on an entry that is not in the run blocks (a valid plan never has one).
 */
export function readiness(jobRun: JobRunState, all: readonly JobRunState[]): Readiness {
  const { graph, list, index } = graphOf(jobRun, all);
  return readinessAt(index, list, graph, newMemos());
}

/** Answers about what is upstream, kept while no job run becomes FAILED or CANCELLED (one release). */
interface UpstreamMemos {
  readonly failed: Map<number, number | null>;
  readonly cancelled: Map<number, number | null>;
}

const newMemos = (): UpstreamMemos => ({ failed: new Map(), cancelled: new Map() });

/** readiness() of the job run at `index` of `all`, whose waits `graph` holds. */
function readinessAt(index: number, all: readonly JobRunState[], graph: WaitGraph, memos: UpstreamMemos): Readiness {
  const jobRun = all[index] as JobRunState;
  const missing = jobRun.needs.find((need) => !all.some((other) => other.entry === need));
  if (missing !== undefined) return { state: 'blocked', reason: `needs ${missing}, which is not in the run` };
  const at = (position: number | undefined) => (position === undefined ? undefined : all[position]);
  const failed = at(graph.firstUpstream(index, (p) => isBlockingFailure(all[p] as JobRunState), memos.failed));
  const cancelled = at(graph.firstUpstream(index, (p) => all[p]?.status === 'CANCELLED', memos.cancelled));
  const allEnded = graph.waitsFor(index).every((position) => endedFor(jobRun, all[position] as JobRunState));
  switch (jobRun.when) {
    case 'on_success':
    case 'manual':
      if (failed !== undefined) return { state: 'blocked', reason: `skipped because ${failed.name} failed` };
      if (cancelled !== undefined)
        return { state: 'blocked', reason: `skipped because ${cancelled.name} was cancelled` };
      return allEnded ? { state: 'ready' } : { state: 'waiting' };
    case 'on_failure':
      if (!allEnded) return { state: 'waiting' };
      return failed !== undefined
        ? { state: 'ready' }
        : { state: 'blocked', reason: 'skipped: nothing before it failed (when: on_failure)' };
    case 'always':
      return allEnded ? { state: 'ready' } : { state: 'waiting' };
  }
}

/**
 * Whether `other` no longer holds `jobRun` back: it ended, or it is a MANUAL job run that may
 * fail (GitLab's non-blocking manual job) and `jobRun` waits for it by stage, not by needs.
 */
function endedFor(jobRun: JobRunState, other: JobRunState): boolean {
  if (isTerminal(other.status)) return true;
  return other.status === 'MANUAL' && other.allowFailure && !jobRun.needs.includes(other.entry);
}

/**
 * A PENDING job run waiting (by needs, directly or further up) for a MANUAL job run that may
 * fail: it does not hold its run, and runs once that one is played (the run opens again).
 */
function parkedBehindManual(
  index: number,
  all: readonly JobRunState[],
  graph: WaitGraph,
  memo: Map<number, number | null>,
): boolean {
  const manual = (position: number) => all[position]?.status === 'MANUAL' && all[position]?.allowFailure === true;
  return graph.firstUpstream(index, manual, memo) !== undefined;
}

/** Why a job run was skipped when its run ended while it waited for a manual job run nobody played. */
const NOT_PLAYED = 'skipped: waits for manual job run ';
export const notPlayedReason = (manual: string): string => `${NOT_PLAYED}${manual}, not played`;
/** Skipped by notPlayedReason: playing the manual job run it waited for makes it PENDING again. */
export const skippedUnplayed = (jobRun: Pick<JobRunState, 'status' | 'reason'>): boolean =>
  jobRun.status === 'SKIPPED' && jobRun.reason?.startsWith(NOT_PLAYED) === true;

/** The status a run ends with once none of its job runs is open. */
export function runOutcome(jobRuns: readonly JobRunState[]): RunStatus {
  if (jobRuns.some(isBlockingFailure)) return 'FAILED';
  if (jobRuns.some((jobRun) => jobRun.status === 'CANCELLED')) return 'CANCELLED';
  return 'SUCCESS';
}

/** A run that succeeded although some of its job runs failed (allowFailure): "passed with warnings". */
export function hasWarnings(status: RunStatus, jobRuns: readonly Pick<JobRunState, 'status'>[]): boolean {
  return status === 'SUCCESS' && jobRuns.some((jobRun) => jobRun.status === 'FAILED');
}

/**
 * Moves the run forward after a change: PENDING job runs that are ready become QUEUED
 * (to dispatch), those that can no longer run become SKIPPED (cascading), and the run
 * ends when nothing is open any more. Jobs already running keep running.
 */
export function release(run: RunState, now: Date): { run: RunState; dispatch: JobRunState[] } {
  const jobRuns = [...run.jobRuns];
  // Statuses change below, who waits for whom does not: one graph for the whole release.
  const graph = new WaitGraph(jobRuns);
  const memos = newMemos();
  const dispatch: JobRunState[] = [];
  let moved = true;
  while (moved) {
    moved = false;
    for (const [index, jobRun] of jobRuns.entries()) {
      if (jobRun.status !== 'PENDING') continue;
      const state = readinessAt(index, jobRuns, graph, memos);
      if (state.state === 'waiting') continue;
      // A manual job run, once it could start, waits for a person (playJobRun).
      const ready = jobRun.when === 'manual' ? 'MANUAL' : 'QUEUED';
      const next: JobRunState =
        state.state === 'ready'
          ? { ...jobRun, status: ready }
          : { ...jobRun, status: 'SKIPPED', endedAt: now, reason: state.reason };
      jobRuns[index] = next;
      if (next.status === 'QUEUED') dispatch.push(next);
      moved = true;
    }
  }
  // Defence: with a valid plan this never happens, but a run must not hang for ever.
  const moving = (jobRun: JobRunState) =>
    jobRun.status === 'QUEUED' || jobRun.status === 'RUNNING' || (jobRun.status === 'MANUAL' && !jobRun.allowFailure);
  if (!jobRuns.some(moving)) {
    const parked = new Map<number, number | null>();
    for (const [index, jobRun] of jobRuns.entries()) {
      if (jobRun.status === 'PENDING' && !parkedBehindManual(index, jobRuns, graph, parked)) {
        jobRuns[index] = { ...jobRun, status: 'SKIPPED', endedAt: now, reason: 'its needs can never be met' };
      }
    }
  }
  return { run: settle({ ...run, jobRuns }, dispatch.length > 0, now, graph), dispatch };
}

/**
 * Ends the run when nothing is open: what still waits for a manual job run nobody played
 * is SKIPPED (GitLab), until that one is played. A run where nothing is queued or running
 * and a manual job run that may not fail waits is MANUAL (GitLab's "blocked"); one whose
 * first job runs were queued is QUEUED.
 */
function settle(run: RunState, queuedSome: boolean, now: Date, graph: WaitGraph): RunState {
  if (isTerminal(run.status)) return run;
  const parked = new Map<number, number | null>();
  const holding = (jobRun: JobRunState, index: number) =>
    holdsRun(jobRun) && !(jobRun.status === 'PENDING' && parkedBehindManual(index, run.jobRuns, graph, parked));
  if (!run.jobRuns.some(holding)) {
    const manuals = new Map<number, number | null>();
    const jobRuns = run.jobRuns.map((jobRun, index) =>
      jobRun.status === 'PENDING' ? notPlayed(index, run.jobRuns, now, graph, manuals) : jobRun,
    );
    return { ...run, jobRuns, status: runOutcome(jobRuns), endedAt: now, startedAt: run.startedAt ?? now };
  }
  const active = run.jobRuns.some((jobRun) => jobRun.status === 'QUEUED' || jobRun.status === 'RUNNING');
  if (!active && run.jobRuns.some((jobRun) => jobRun.status === 'MANUAL' && !jobRun.allowFailure)) {
    return run.status === 'MANUAL' ? run : { ...run, status: 'MANUAL' };
  }
  if ((run.status === 'PENDING' || run.status === 'MANUAL') && active) {
    return { ...run, status: run.startedAt === null ? 'QUEUED' : 'RUNNING' };
  }
  if (run.status === 'PENDING' && queuedSome) return { ...run, status: 'QUEUED' };
  return run;
}

/** A PENDING job run left when its run ends: it waits for a manual job run that may fail, not played. */
function notPlayed(
  index: number,
  all: readonly JobRunState[],
  now: Date,
  graph: WaitGraph,
  memo: Map<number, number | null>,
): JobRunState {
  const jobRun = all[index] as JobRunState;
  const found = graph.firstUpstream(index, (position) => all[position]?.status === 'MANUAL', memo);
  const manual = found === undefined ? undefined : all[found];
  return { ...jobRun, status: 'SKIPPED', endedAt: now, reason: notPlayedReason(manual?.name ?? 'unknown') };
}
