import { armable } from '../domain/arming.js';
import { isLimited } from '../domain/limits.js';
import type { JobRunState } from '../domain/model.js';
import { artifactSourcesOf, savesArtifacts } from '../domain/readiness.js';
import { routeOf } from '../domain/routing.js';
import type { JobRunRecord, PipelineRunRecord, StoredJson } from '../store/records.js';
import type { RunTx } from '../store/run-tx.js';
import { dispatchItems, type DispatchRun } from './persist.js';
import type { EngineResources } from './resources.js';
import { toProgress, toRunState } from './state.js';
import type { DispatchItem } from './systems/dispatch.js';

/** What arming needs of a run besides its job runs: its state and what dispatch items carry. */
export type ArmingRun = DispatchRun & Pick<PipelineRunRecord, 'status' | 'reason' | 'startedAt' | 'endedAt'>;

/** A job run armed in a step: its dispatch item and the attempt it is armed on. */
export interface ArmedItem {
  readonly item: DispatchItem;
  readonly on: { readonly jobRunId: string; readonly attempt: number };
}

/**
 * Last in a step's transaction: arms the PENDING job runs of the run as it now is that the
 * success of one open attempt alone would queue (domain/arming.ts), unless their spec needs
 * this scheduler first: a limit (pools, maxConcurrent: counted at hand-over), a context
 * reference (the output it names is stored when the scheduler applies the end), or
 * artifacts from the attempt armed on (recorded then too). Returns what to store for the
 * executors once the transaction committed (DispatchSystem.arm).
 */
export function armInStep(
  resources: Pick<EngineResources, 'armed' | 'arming' | 'pools'>,
  tx: RunTx,
  stored: { run: ArmingRun; jobRuns: readonly JobRunRecord[] },
  now: Date,
): ArmedItem[] {
  // Arming off (scheduler.fastPath false), or nothing to hand armed job runs over through.
  if (resources.armed === undefined || resources.arming !== true) return [];
  const pools = resources.pools ?? {};
  const records = new Map(stored.jobRuns.map((jobRun) => [jobRun.id, jobRun]));
  const eligible = (jobRun: JobRunState, on: JobRunState): boolean => {
    const record = records.get(jobRun.id);
    const source = records.get(on.id);
    if (record === undefined || source === undefined) return false;
    return (
      !isLimited(routeOf(record.spec), pools) &&
      !refersToContexts(record.spec) &&
      !(savesArtifacts(source.spec) && artifactSourcesOf(record, stored.jobRuns).includes(source))
    );
  };
  const armings = armable(toRunState(stored.run, stored.jobRuns), eligible);
  if (armings.length === 0) return [];
  tx.armJobRuns(armings.map(({ jobRun }) => toProgress(jobRun)));
  const items = dispatchItems(
    stored.run,
    stored.jobRuns,
    armings.map(({ jobRun }) => jobRun),
    now,
  );
  return armings.flatMap(({ jobRun, on }) => {
    const item = items.find((candidate) => candidate.jobRunId === jobRun.id);
    return item === undefined ? [] : [{ item, on: { jobRunId: on.id, attempt: on.attempt } }];
  });
}

/** Whether a frozen spec refers to a context (`$$(name)`) anywhere: resolved by the executor from stored outputs. */
function refersToContexts(spec: StoredJson): boolean {
  return JSON.stringify(spec).includes('$$(');
}
