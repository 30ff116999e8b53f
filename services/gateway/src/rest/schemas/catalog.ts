import { z } from '../zod.js';
import { Id } from './common.js';

/*
 * Jobs, pipelines and schedules as the catalog's GraphQL types have them (the same field names):
 * response schemas select exactly these fields from the supergraph; input schemas check the shape
 * (types, known fields) and leave the rules (names, limits, references) to the catalog.
 */

const Timestamp = z.string().openapi({ description: 'ISO 8601, UTC.', example: '2025-01-31T12:00:00.000Z' });
const nullableInt = z.number().int().nullable();

const EnvVar = z
  .object({
    name: z.string(),
    value: z.string().nullable().openapi({ description: 'null for a secret variable: its value is never answered.' }),
    secret: z.boolean().openapi({ description: 'Stored encrypted, given to attempts only, masked in their logs.' }),
  })
  .openapi('EnvVar');
const EnvVarInput = z
  .strictObject({
    name: z.string(),
    value: z.string().nullish().openapi({
      description: 'Required unless secret: a secret variable sent without a value keeps its stored value.',
    }),
    secret: z
      .boolean()
      .nullish()
      .openapi({ description: 'Stores the value encrypted (4+ characters), never answers it, masks it in logs.' }),
  })
  .openapi('EnvVarInput');
const RetryOn = z.enum(['JOB', 'TIMEOUT', 'INFRASTRUCTURE']);
const Backoff = z.enum(['FIXED', 'EXPONENTIAL']);
const PullPolicy = z.enum(['IF_NOT_PRESENT', 'ALWAYS', 'NEVER']);
const When = z.enum(['ON_SUCCESS', 'ON_FAILURE', 'ALWAYS', 'MANUAL']);
const RuleWhen = z.enum(['ON_SUCCESS', 'ON_FAILURE', 'ALWAYS', 'MANUAL', 'NEVER']);

export const Job = z
  .object({
    id: Id,
    name: z.string(),
    command: z.string(),
    image: z.string().nullable(),
    env: z.array(EnvVar),
    workdir: z.string().nullable(),
    timeoutSec: nullableInt,
    maxAttempts: z.number().int(),
    allowFailure: z.boolean(),
    allowFailureExitCodes: z.array(z.number().int()),
    retry: z
      .object({
        on: z.array(RetryOn),
        exitCodes: z.array(z.number().int()),
        backoff: Backoff,
        delaySec: z.number(),
        maxDelaySec: z.number().nullable(),
        jitter: z.boolean(),
      })
      .openapi('RetryPolicy'),
    artifacts: z.array(z.string()),
    pool: z.string(),
    tags: z.array(z.string()),
    maxConcurrent: nullableInt,
    docker: z
      .object({
        pullPolicy: PullPolicy,
        cpus: z.number().nullable(),
        memoryMiB: nullableInt,
        entrypoint: z.array(z.string()),
        keepOnFailure: z.boolean(),
      })
      .openapi('DockerOptions'),
    checkout: z.boolean(),
    secrets: z.array(z.string()).openapi({ description: 'Secret names the attempt gets as environment variables.' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Job');

const RetryPolicyInput = z
  .strictObject({
    on: z.array(RetryOn).nullish(),
    exitCodes: z.array(z.number().int()).nullish(),
    backoff: Backoff.nullish(),
    delaySec: z.number().nullish(),
    maxDelaySec: z.number().nullish(),
    jitter: z.boolean().nullish(),
  })
  .openapi('RetryPolicyInput');

const DockerOptionsInput = z
  .strictObject({
    pullPolicy: PullPolicy.nullish(),
    cpus: z.number().nullish(),
    memoryMiB: z.number().int().nullish(),
    entrypoint: z.array(z.string()).nullish(),
    keepOnFailure: z.boolean().nullish(),
  })
  .openapi('DockerOptionsInput');

/** Every field of a job but name and command; null clears (or resets to the default). */
const jobFields = {
  image: z.string().nullish(),
  env: z.array(EnvVarInput).nullish(),
  workdir: z.string().nullish(),
  timeoutSec: z.number().int().nullish(),
  maxAttempts: z.number().int().nullish(),
  allowFailure: z.boolean().nullish(),
  allowFailureExitCodes: z.array(z.number().int()).nullish(),
  retry: RetryPolicyInput.nullish(),
  artifacts: z.array(z.string()).nullish(),
  pool: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  maxConcurrent: z.number().int().nullish(),
  docker: DockerOptionsInput.nullish(),
  checkout: z.boolean().nullish(),
  secrets: z.array(z.string()).nullish(),
};

export const JobInput = z
  .strictObject({ name: z.string(), command: z.string(), ...jobFields })
  .openapi('JobInput', { description: 'A whole job: what POST creates and PUT replaces (left out: the default).' });

export const JobPatch = z
  .strictObject({ name: z.string().nullish(), command: z.string().nullish(), ...jobFields })
  .openapi('JobPatch', { description: 'Fields left out keep their value; null clears one (or resets its default).' });

const MatrixAxis = z.object({ name: z.string(), values: z.array(z.string()) }).openapi('MatrixAxis');

const GitSource = z
  .object({
    repository: z.string(),
    repositoryKey: z.string(),
    branches: z.array(z.string()),
    tags: z.array(z.string()),
    events: z.array(z.enum(['PUSH', 'TAG'])),
    hasWebhookSecret: z.boolean(),
    webhookSecretSetAt: z.string().nullable(),
  })
  .openapi('GitSource');

export const Pipeline = z
  .object({
    id: Id,
    name: z.string(),
    description: z.string().nullable(),
    stages: z.array(
      z
        .object({
          name: z.string(),
          entries: z.array(
            z
              .object({
                name: z.string(),
                jobId: Id,
                needs: z.array(z.string()),
                when: When,
                matrix: z.array(MatrixAxis),
                allowFailure: z.boolean().nullable(),
                pool: z.string().nullable(),
                tags: z.array(z.string()),
                artifactsFrom: z.array(z.string()).nullable(),
                startAtOnce: z.boolean(),
                allowFailureExitCodes: z.array(z.number().int()),
                rules: z.array(
                  z
                    .object({ if: z.string().nullable(), when: RuleWhen, allowFailure: z.boolean().nullable() })
                    .openapi('EntryRule'),
                ),
              })
              .openapi('StageEntry'),
          ),
        })
        .openapi('Stage'),
    ),
    timeoutSec: nullableInt,
    concurrency: z.object({ group: z.string(), cancelOlder: z.boolean() }).nullable().openapi('Concurrency'),
    retention: z.object({ runDays: nullableInt, logDays: nullableInt }).nullable().openapi('Retention'),
    git: GitSource.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Pipeline');

const StageEntryInput = z
  .strictObject({
    jobId: Id,
    name: z.string().nullish(),
    needs: z.array(z.string()).nullish(),
    when: When.nullish(),
    matrix: z.array(z.strictObject({ name: z.string(), values: z.array(z.string()) })).nullish(),
    allowFailure: z.boolean().nullish(),
    pool: z.string().nullish(),
    tags: z.array(z.string()).nullish(),
    artifactsFrom: z.array(z.string()).nullish(),
    startAtOnce: z.boolean().nullish(),
    allowFailureExitCodes: z.array(z.number().int()).nullish(),
    rules: z
      .array(
        z
          .strictObject({ if: z.string().nullish(), when: RuleWhen.nullish(), allowFailure: z.boolean().nullish() })
          .openapi('EntryRuleInput'),
      )
      .nullish(),
  })
  .openapi('StageEntryInput');

const pipelineFields = {
  description: z.string().nullish(),
  stages: z.array(z.strictObject({ name: z.string(), entries: z.array(StageEntryInput) }).openapi('StageInput')),
  timeoutSec: z.number().int().nullish(),
  concurrency: z.strictObject({ group: z.string(), cancelOlder: z.boolean().nullish() }).nullish(),
  retention: z.strictObject({ runDays: z.number().int().nullish(), logDays: z.number().int().nullish() }).nullish(),
  git: z
    .strictObject({
      repository: z.string(),
      branches: z.array(z.string()).nullish(),
      tags: z.array(z.string()).nullish(),
      events: z.array(z.enum(['PUSH', 'TAG'])).nullish(),
      webhookSecret: z.string().nullish().openapi({ description: 'Write-only; left out: the current one is kept.' }),
    })
    .nullish()
    .openapi('GitSourceInput'),
};

export const PipelineInput = z
  .strictObject({ name: z.string(), ...pipelineFields })
  .openapi('PipelineInput', { description: 'A whole pipeline: what POST creates and PUT replaces.' });

export const PipelinePatch = z
  .strictObject({
    name: z.string().optional(),
    ...pipelineFields,
    stages: pipelineFields.stages.optional(),
  })
  .openapi('PipelinePatch', {
    description:
      'Top-level fields given replace the current ones (stages as a whole); fields left out are kept. ' +
      'Applied to the current definition, then stored as updatePipeline stores a whole one.',
  });

const Overlap = z.enum(['ALLOW', 'SKIP', 'QUEUE']);
const MissedFires = z.enum(['SKIP', 'RUN_ONCE', 'ALL']);
const Target = z.object({ pipelineId: Id.nullable(), jobId: Id.nullable() }).openapi('ScheduleTarget');

export const Schedule = z
  .object({
    id: Id,
    name: z.string(),
    targets: z.array(Target),
    cron: z.string().nullable(),
    at: z.string().nullable(),
    timezone: z.string(),
    enabled: z.boolean(),
    overlap: Overlap,
    missedFires: MissedFires,
    description: z.string().openapi({ description: 'In English: At 02:30, Monday through Friday (Europe/Paris).' }),
    nextFireTimes: z.array(z.string()).openapi({ description: 'The next five fire times (UTC).' }),
    activeSince: Timestamp,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Schedule');

const scheduleFields = {
  targets: z
    .array(z.strictObject({ pipelineId: Id.nullish(), jobId: Id.nullish() }))
    .nullish()
    .openapi({ description: '1 to 16 pipelines and jobs, exactly one id each.' }),
  pipelineId: Id.nullish().openapi({ description: 'Shorthand for targets: [{ pipelineId }].' }),
  cron: z.string().nullish(),
  at: z.string().nullish(),
  timezone: z.string().nullish(),
  enabled: z.boolean().nullish(),
  overlap: Overlap.nullish(),
  missedFires: MissedFires.nullish(),
};

export const ScheduleInput = z
  .strictObject({ name: z.string(), ...scheduleFields })
  .openapi('ScheduleInput', { description: 'A whole schedule: what POST creates and PUT replaces.' });

export const SchedulePatch = z
  .strictObject({ name: z.string().nullish(), ...scheduleFields })
  .openapi('SchedulePatch', {
    description: 'Fields left out keep their value; null resets one. {"enabled": false} disables a schedule.',
  });

export const CopyInput = z
  .strictObject({
    name: z.string().nullish().openapi({ description: 'Default: the first free <name>-copy, <name>-copy-2…' }),
  })
  .openapi('CopyInput');
