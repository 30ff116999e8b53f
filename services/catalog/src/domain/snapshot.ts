import {
  BackoffKind,
  ConcurrencySchema,
  ContractVersion,
  create,
  DockerOptionsSchema,
  EntryWhen,
  FailureClass,
  JobSpecSchema,
  MatrixAxisSchema,
  PipelineSnapshotSchema,
  PullPolicy,
  RetentionSchema,
  RetryPolicySchema,
  StageEntrySchema,
  StageSchema,
  type DockerOptions as DockerOptionsMessage,
  type JobSpec,
  type PipelineSnapshot,
  type RetryPolicy as RetryPolicyMessage,
} from '@fluxi/contracts';
import { FluxiError } from '@fluxi/common';
import type { DockerOptions, PullPolicy as PullPolicyName } from './docker.js';
import type { Job } from './job.js';
import type { Pipeline, StageEntryDefinition, When } from './pipeline.js';
import { plainEnv, secretEnvNames } from './secret-env.js';
import type { RetryOn, RetryPolicy } from './retry.js';

const FAILURE_CLASS: Record<RetryOn, FailureClass> = {
  JOB: FailureClass.JOB,
  TIMEOUT: FailureClass.TIMEOUT,
  INFRASTRUCTURE: FailureClass.INFRASTRUCTURE,
};
const PULL_POLICY: Record<PullPolicyName, PullPolicy> = {
  IF_NOT_PRESENT: PullPolicy.IF_NOT_PRESENT,
  ALWAYS: PullPolicy.ALWAYS,
  NEVER: PullPolicy.NEVER,
};
const ENTRY_WHEN: Record<When, EntryWhen> = {
  ON_SUCCESS: EntryWhen.ON_SUCCESS,
  ON_FAILURE: EntryWhen.ON_FAILURE,
  ALWAYS: EntryWhen.ALWAYS,
  MANUAL: EntryWhen.MANUAL,
};

/** The executable part of a job. */
export function jobSpec(job: Job): JobSpec {
  return create(JobSpecSchema, {
    jobId: job.id,
    name: job.name,
    command: job.command,
    image: job.image ?? '',
    // Secret entries by name only: the executor asks for their values when an attempt starts.
    env: Object.fromEntries(plainEnv(job.env).map((v) => [v.name, v.value])),
    workdir: job.workdir ?? '',
    timeoutSec: job.timeoutSec ?? 0,
    maxAttempts: job.maxAttempts,
    allowFailure: job.allowFailure,
    allowFailureExitCodes: [...(job.allowFailureExitCodes ?? [])],
    retry: retryPolicy(job.retry),
    artifactPaths: [...job.artifacts],
    pool: job.pool,
    tags: [...job.tags],
    maxConcurrent: job.maxConcurrent ?? 0,
    checkout: job.checkout,
    secretNames: [...job.secrets],
    secretEnvNames: secretEnvNames(job.env),
    docker: dockerOptions(job.docker),
  });
}

function dockerOptions(options: DockerOptions): DockerOptionsMessage {
  return create(DockerOptionsSchema, {
    pullPolicy: PULL_POLICY[options.pullPolicy],
    cpus: options.cpus ?? 0,
    memoryMib: options.memoryMiB ?? 0,
    entrypoint: [...options.entrypoint],
    keepOnFailure: options.keepOnFailure,
  });
}

function retryPolicy(policy: RetryPolicy): RetryPolicyMessage {
  return create(RetryPolicySchema, {
    on: policy.on.map((on) => FAILURE_CLASS[on]),
    exitCodes: [...policy.exitCodes],
    backoff: policy.backoff === 'EXPONENTIAL' ? BackoffKind.EXPONENTIAL : BackoffKind.FIXED,
    delayMs: policy.delayMs,
    maxDelayMs: policy.maxDelayMs ?? 0,
    jitter: policy.jitter,
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
          return stageEntry(entry, job);
        }),
      }),
    ),
    timeoutSec: pipeline.timeoutSec ?? 0,
    ...(pipeline.concurrency === null ? {} : { concurrency: create(ConcurrencySchema, pipeline.concurrency) }),
    ...(pipeline.retention === null
      ? {}
      : {
          retention: create(RetentionSchema, {
            runDays: pipeline.retention.runDays ?? 0,
            logDays: pipeline.retention.logDays ?? 0,
          }),
        }),
  });
}

/** The job as this entry runs it: the entry's pool instead of the job's, and its tags besides the job's. */
function entryJobSpec(entry: StageEntryDefinition, job: Job): JobSpec {
  const spec = jobSpec(job);
  if (entry.pool !== null) spec.pool = entry.pool;
  for (const tag of entry.tags) if (!spec.tags.includes(tag)) spec.tags.push(tag);
  return spec;
}

function stageEntry(entry: StageEntryDefinition, job: Job) {
  return create(StageEntrySchema, {
    name: entry.name,
    job: entryJobSpec(entry, job),
    needs: [...entry.needs],
    when: ENTRY_WHEN[entry.when],
    matrix: entry.matrix.map((axis) => create(MatrixAxisSchema, { name: axis.name, values: [...axis.values] })),
    ...(entry.allowFailure === null ? {} : { allowFailure: entry.allowFailure }),
    ...(entry.artifactsFrom === undefined || entry.artifactsFrom === null
      ? {}
      : { artifactsFrom: [...entry.artifactsFrom], artifactsFromSet: true }),
    startAtOnce: entry.startAtOnce === true,
    allowFailureExitCodes: [...(entry.allowFailureExitCodes ?? [])],
    rules: (entry.rules ?? []).map((rule) => ({
      condition: rule.if ?? '',
      when: rule.when.toLowerCase(),
      ...(rule.allowFailure === null ? {} : { allowFailure: rule.allowFailure }),
    })),
  });
}
