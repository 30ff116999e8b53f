import { badInput } from '@fluxi/common';

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
          }
        | undefined;
      readonly needs: readonly string[];
      readonly name?: string;
    }[];
  }[];
}

/** One job run to create, in stage order then entry order. */
export interface PlannedJobRun {
  readonly position: number;
  readonly stageIndex: number;
  readonly stageName: string;
  readonly entryIndex: number;
  /** Entry name = the job's name in the snapshot (unique in the run). */
  readonly name: string;
  readonly jobId: string;
  readonly needs: readonly string[];
  readonly allowFailure: boolean;
  readonly maxAttempts: number;
}

/**
 * Turns a snapshot into the job runs of a new run, refusing one that could never
 * finish: no entries, unnamed or duplicate entries, needs on unknown or later
 * entries, or needs that form a cycle. Errors name the snapshot field at fault.
 */
export function planRun(snapshot: SnapshotShape): PlannedJobRun[] {
  const planned: PlannedJobRun[] = [];
  const stageOf = new Map<string, number>();
  snapshot.stages.forEach((stage, stageIndex) => {
    stage.entries.forEach((entry, entryIndex) => {
      const field = `snapshot.stages[${stageIndex}].entries[${entryIndex}]`;
      const job = entry.job;
      if (job === undefined) throw badInput('a stage entry has no job', `${field}.job`);
      // Snapshots without entry names (none are written today) fall back to the job's name.
      const name = entry.name || job.name;
      if (name === '') throw badInput('a stage entry has no name', `${field}.name`);
      if (stageOf.has(name)) throw badInput(`two entries are named ${name}`, `${field}.name`);
      stageOf.set(name, stageIndex);
      planned.push({
        position: planned.length,
        stageIndex,
        stageName: stage.name,
        entryIndex,
        name,
        jobId: job.jobId,
        needs: [...entry.needs],
        allowFailure: job.allowFailure,
        maxAttempts: Math.max(1, job.maxAttempts),
      });
    });
  });
  if (planned.length === 0) throw badInput('the pipeline has no jobs', 'snapshot.stages');
  for (const jobRun of planned) checkNeeds(jobRun, stageOf);
  checkAcyclic(planned);
  return planned;
}

function checkNeeds(jobRun: PlannedJobRun, stageOf: ReadonlyMap<string, number>): void {
  jobRun.needs.forEach((need, needIndex) => {
    const field = `snapshot.stages[${jobRun.stageIndex}].entries[${jobRun.entryIndex}].needs[${needIndex}]`;
    const stage = stageOf.get(need);
    if (stage === undefined) throw badInput(`${jobRun.name} needs ${need}, which is not in the pipeline`, field);
    if (need === jobRun.name) throw badInput(`${jobRun.name} needs itself`, field);
    // An entry without needs waits for all earlier stages, so needing a later one would deadlock.
    if (stage > jobRun.stageIndex) throw badInput(`${jobRun.name} needs ${need}, which is in a later stage`, field);
  });
}

/** Needs may point into the same stage; those edges must not form a cycle. */
function checkAcyclic(planned: readonly PlannedJobRun[]): void {
  const byName = new Map(planned.map((jobRun) => [jobRun.name, jobRun]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const visit = (jobRun: PlannedJobRun): void => {
    if (done.has(jobRun.name)) return;
    if (visiting.has(jobRun.name)) {
      throw badInput(
        `the needs of ${jobRun.name} form a cycle`,
        `snapshot.stages[${jobRun.stageIndex}].entries[${jobRun.entryIndex}].needs`,
      );
    }
    visiting.add(jobRun.name);
    for (const need of jobRun.needs) {
      const target = byName.get(need);
      if (target !== undefined) visit(target);
    }
    visiting.delete(jobRun.name);
    done.add(jobRun.name);
  };
  for (const jobRun of planned) visit(jobRun);
}
