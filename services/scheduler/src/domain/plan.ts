import { badInput } from '@fluxi/common';
import { cellName, expandMatrix, type MatrixCell } from './matrix.js';
import type { RuleShape } from './rules.js';
import { NO_RETRY_RULE, type RetryRule } from './retry.js';
import { failureClassOf, type FailureClassName, type When } from './status.js';

/** The frozen retry policy as the snapshot carries it (contract RetryPolicy fits this shape). */
export interface RetryShape {
  readonly on: readonly number[];
  readonly exitCodes: readonly number[];
  readonly backoff: number;
  readonly delayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: boolean;
}

/** The parts of a PipelineSnapshot the plan reads (the contract message fits this shape). */
export interface SnapshotShape {
  readonly stages: readonly {
    readonly name: string;
    readonly entries: readonly {
      readonly job?:
        | {
            readonly jobId: string;
            readonly name: string;
            readonly allowFailure: boolean;
            readonly maxAttempts: number;
            readonly retry?: RetryShape | undefined;
            readonly allowFailureExitCodes?: readonly number[];
          }
        | undefined;
      readonly needs: readonly string[];
      readonly name?: string;
      /** Contract EntryWhen: 0/1 on_success, 2 on_failure, 3 always. */
      readonly when?: number;
      readonly matrix?: readonly { readonly name: string; readonly values: readonly string[] }[];
      readonly allowFailure?: boolean | undefined;
      readonly allowFailureExitCodes?: readonly number[];
      readonly startAtOnce?: boolean;
      readonly artifactsFrom?: readonly string[];
      readonly artifactsFromSet?: boolean;
      readonly rules?: readonly RuleShape[];
    }[];
  }[];
}

/** One job run to create, in stage order then entry order (matrix cells in expansion order). */
export interface PlannedJobRun {
  readonly position: number;
  readonly stageIndex: number;
  readonly stageName: string;
  readonly entryIndex: number;
  /** Unique in the run: the entry name, with the matrix values for a matrix cell. */
  readonly name: string;
  /** The entry's name; `needs` refer to it. */
  readonly entry: string;
  /** The matrix values of this cell (also set as environment variables); empty without matrix. */
  readonly matrix: MatrixCell;
  /** 1-based place of this cell among its entry's cells, and their count (1 without matrix). */
  readonly cellIndex: number;
  readonly cellCount: number;
  readonly jobId: string;
  readonly needs: readonly string[];
  readonly when: When;
  readonly allowFailure: boolean;
  readonly allowFailureExitCodes: readonly number[];
  readonly startAtOnce: boolean;
  /** Entries whose artifacts it takes; null: all it waits for. */
  readonly artifactsFrom: readonly string[] | null;
  /** GitLab rules, decided when the run is created (rules.ts); empty: always runs. */
  readonly rules: readonly RuleShape[];
  /** Set by the rules when the job run is created SKIPPED: why. */
  readonly skipped?: string;
  readonly maxAttempts: number;
  readonly retry: RetryRule;
}

const WHEN_BY_CONTRACT: Record<number, When> = {
  0: 'on_success',
  1: 'on_success',
  2: 'on_failure',
  3: 'always',
  4: 'manual',
};

/**
 * Turns a snapshot into the job runs of a new run, refusing one that could never
 * finish: no entries, unnamed or duplicate entries, needs on unknown or later
 * entries, or needs that form a cycle. Matrix entries become one job run per cell.
 * Errors name the snapshot field at fault.
 */
export function planRun(snapshot: SnapshotShape): PlannedJobRun[] {
  const planned: PlannedJobRun[] = [];
  const stageOf = new Map<string, number>();
  const located = new Map<string, string>();
  snapshot.stages.forEach((stage, stageIndex) => {
    stage.entries.forEach((entry, entryIndex) => {
      const field = `snapshot.stages[${stageIndex}].entries[${entryIndex}]`;
      const job = entry.job;
      if (job === undefined) throw badInput('a stage entry has no job', `${field}.job`);
      // Snapshots without entry names fall back to the job's name.
      const name = entry.name || job.name;
      if (name === '') throw badInput('a stage entry has no name', `${field}.name`);
      if (stageOf.has(name)) throw badInput(`two entries are named ${name}`, `${field}.name`);
      stageOf.set(name, stageIndex);
      located.set(name, field);
      const cells = expandMatrix(entry.matrix ?? []);
      for (const [cellIndex, cell] of cells.entries()) {
        planned.push({
          position: planned.length,
          stageIndex,
          stageName: stage.name,
          entryIndex,
          name: cellName(name, cell),
          entry: name,
          matrix: cell,
          cellIndex: cellIndex + 1,
          cellCount: cells.length,
          jobId: job.jobId,
          needs: [...entry.needs],
          when: WHEN_BY_CONTRACT[entry.when ?? 0] ?? 'on_success',
          allowFailure: entry.allowFailure ?? job.allowFailure,
          allowFailureExitCodes: exitCodesOf(entry, job),
          startAtOnce: entry.startAtOnce === true,
          artifactsFrom: entry.artifactsFromSet === true ? [...(entry.artifactsFrom ?? [])] : null,
          rules: (entry.rules ?? []).map((rule) => ({
            condition: rule.condition,
            when: rule.when,
            allowFailure: rule.allowFailure,
          })),
          maxAttempts: Math.max(1, job.maxAttempts),
          retry: retryRule(job.retry),
        });
      }
    });
  });
  if (planned.length === 0) throw badInput('the pipeline has no jobs', 'snapshot.stages');
  for (const jobRun of planned) checkNeeds(jobRun, stageOf);
  checkAcyclic(planned, located);
  return planned;
}

/** The entry's exit codes when it sets them (or sets allowFailure), else the job's. */
function exitCodesOf(
  entry: SnapshotShape['stages'][number]['entries'][number],
  job: { readonly allowFailureExitCodes?: readonly number[] },
): number[] {
  const own = entry.allowFailureExitCodes ?? [];
  if (own.length > 0 || entry.allowFailure !== undefined) return [...own];
  return [...(job.allowFailureExitCodes ?? [])];
}

function retryRule(shape: RetryShape | undefined): RetryRule {
  if (shape === undefined) return NO_RETRY_RULE;
  return {
    on: shape.on.map(failureClassOf).filter((value): value is FailureClassName => value !== undefined),
    exitCodes: [...shape.exitCodes],
    backoff: shape.backoff === 2 ? 'EXPONENTIAL' : 'FIXED',
    delayMs: shape.delayMs,
    maxDelayMs: shape.maxDelayMs,
    jitter: shape.jitter,
  };
}

function checkNeeds(jobRun: PlannedJobRun, stageOf: ReadonlyMap<string, number>): void {
  jobRun.needs.forEach((need, needIndex) => {
    const field = `snapshot.stages[${jobRun.stageIndex}].entries[${jobRun.entryIndex}].needs[${needIndex}]`;
    const stage = stageOf.get(need);
    if (stage === undefined) throw badInput(`${jobRun.entry} needs ${need}, which is not in the pipeline`, field);
    if (need === jobRun.entry) throw badInput(`${jobRun.entry} needs itself`, field);
    // An entry without needs waits for all earlier stages, so needing a later one would deadlock.
    if (stage > jobRun.stageIndex) throw badInput(`${jobRun.entry} needs ${need}, which is in a later stage`, field);
  });
}

/** Needs may point into the same stage; those edges must not form a cycle. */
function checkAcyclic(planned: readonly PlannedJobRun[], located: ReadonlyMap<string, string>): void {
  const needsOf = new Map(planned.map((jobRun) => [jobRun.entry, jobRun.needs]));
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (entry: string): void => {
    if (done.has(entry)) return;
    const at = path.indexOf(entry);
    if (at >= 0) {
      const cycle = [...path.slice(at), entry];
      throw badInput(`needs form a cycle: ${cycle.join(' → ')}`, `${located.get(entry) ?? 'snapshot'}.needs`);
    }
    path.push(entry);
    for (const need of needsOf.get(entry) ?? []) visit(need);
    path.pop();
    done.add(entry);
  };
  for (const entry of needsOf.keys()) visit(entry);
}
