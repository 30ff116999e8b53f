import {
  ContractVersion,
  create,
  JobSpecSchema,
  PipelineSnapshotSchema,
  StageEntrySchema,
  StageSchema,
  type JobSpec,
  type PipelineSnapshot,
} from '@fluxi/contracts';
import { FluxiError } from '@fluxi/common';
import type { Job } from './job.js';
import type { Pipeline } from './pipeline.js';

/** The executable part of a job; `name` is the job's name unless an entry renames it. */
export function jobSpec(job: Job, name = job.name): JobSpec {
  return create(JobSpecSchema, {
    jobId: job.id,
    name,
    command: job.command,
    image: job.image ?? '',
    env: Object.fromEntries(job.env.map((v) => [v.name, v.value])),
    workdir: job.workdir ?? '',
    timeoutSec: job.timeoutSec ?? 0,
    maxAttempts: job.maxAttempts,
    allowFailure: job.allowFailure,
  });
}

/**
 * Freezes a pipeline and its jobs into the snapshot a run is made from. `needs`
 * resolve against `stages[].entries[].name`, the entry names.
 */
export function buildSnapshot(pipeline: Pipeline, jobs: ReadonlyMap<string, Job>): PipelineSnapshot {
  return create(PipelineSnapshotSchema, {
    version: ContractVersion.CONTRACT_VERSION_1,
    pipelineId: pipeline.id,
    name: pipeline.name,
    stages: pipeline.stages.map((stage) =>
      create(StageSchema, {
        name: stage.name,
        entries: stage.entries.map((entry) => {
          const job = jobs.get(entry.jobId);
          if (job === undefined)
            throw new FluxiError('INTERNAL', `job ${entry.jobId} of pipeline ${pipeline.id} is missing`);
          return create(StageEntrySchema, { name: entry.name, job: jobSpec(job), needs: [...entry.needs] });
        }),
      }),
    ),
  });
}
