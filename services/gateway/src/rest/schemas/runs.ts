import { z } from '../zod.js';
import { Id } from './common.js';

/* Runs, job runs, contexts, executors: the scheduler's GraphQL types, field for field. */

const RunStatus = z.enum(['PENDING', 'QUEUED', 'RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED', 'SKIPPED', 'MANUAL']);
const when = z.string().nullable();

export const Artifact = z
  .object({
    path: z.string(),
    sizeBytes: z.number(),
    downloadPath: z.string().openapi({ description: 'GET it from the gateway with the same API key.' }),
  })
  .openapi('Artifact');

export const JobRun = z
  .object({
    id: Id,
    pipelineRunId: Id,
    jobId: Id,
    name: z.string(),
    entry: z.string(),
    stage: z.string(),
    matrix: z.array(z.object({ name: z.string(), value: z.string() }).openapi('MatrixValue')),
    when: z.string(),
    allowFailure: z.boolean(),
    status: RunStatus,
    exitCode: z.number().int().nullable(),
    attempt: z.number().int(),
    maxAttempts: z.number().int(),
    notBefore: when,
    failureClass: z.string().nullable(),
    reason: z.string().nullable(),
    waitingReason: z.string().nullable(),
    reusedFrom: Id.nullable(),
    startedAt: when,
    endedAt: when,
    attempts: z.array(
      z
        .object({
          attempt: z.number().int(),
          status: RunStatus,
          notBefore: when,
          startedAt: when,
          endedAt: when,
          exitCode: z.number().int().nullable(),
          failureClass: z.string().nullable(),
          reason: z.string().nullable(),
        })
        .openapi('JobRunAttempt'),
    ),
    artifacts: z.array(Artifact),
  })
  .openapi('JobRun');

export const PipelineRun = z
  .object({
    id: Id,
    pipelineId: Id.nullable(),
    jobId: Id.nullable(),
    number: z.number().int(),
    status: RunStatus,
    warnings: z.boolean(),
    reason: z.string().nullable(),
    trigger: z.string(),
    triggeredBy: Id.nullable(),
    triggeredByName: z.string().nullable(),
    branch: z.string().nullable(),
    commit: z.string().nullable(),
    idempotencyKey: z.string().nullable(),
    scheduleId: Id.nullable(),
    plannedAt: when,
    webhookDeliveryId: z.string().nullable(),
    git: z
      .object({
        repository: z.string(),
        ref: z.string(),
        refType: z.string(),
        commit: z.string(),
        author: z.string(),
        message: z.string(),
        compareUrl: z.string(),
      })
      .nullable()
      .openapi('GitPush'),
    variables: z
      .array(z.object({ name: z.string(), value: z.string() }).openapi('PipelineVariable'))
      .openapi({ description: 'Pipeline variables given at trigger time (kept by reruns); plain text.' }),
    rerunOf: Id.nullable(),
    failedOnly: z.boolean(),
    timeoutSec: z.number().int().nullable(),
    deadlineAt: when,
    concurrencyGroup: z.string().nullable(),
    waiting: z.boolean(),
    createdAt: z.string(),
    startedAt: when,
    endedAt: when,
    stages: z.array(
      z
        .object({ index: z.number().int(), name: z.string(), status: RunStatus, startedAt: when, endedAt: when })
        .openapi('StageRun'),
    ),
    jobRuns: z.array(JobRun),
  })
  .openapi('PipelineRun');

export const TriggerInput = z
  .strictObject({
    branch: z.string().nullish(),
    commit: z.string().nullish(),
    idempotencyKey: z.string().nullish().openapi({
      description: 'Held unique: running again with the same key answers the first run instead of a new one.',
    }),
    variables: z
      .array(z.strictObject({ name: z.string(), value: z.string() }).openapi('PipelineVariableInput'))
      .nullish()
      .openapi({
        description:
          "GitLab pipeline variables: seen by rules and set in every job run's env, over the job's own env. At most 50; names [A-Za-z_][A-Za-z0-9_]* (not FLUXI_*); values up to 10 KiB. Not secret: use secrets for secrets.",
      }),
  })
  .openapi('TriggerInput');

export const CancelInput = z.strictObject({ reason: z.string().nullish() }).openapi('CancelInput');
export const RerunInput = z
  .strictObject({ failedOnly: z.boolean().nullish().openapi({ description: 'Keep the successful job runs.' }) })
  .openapi('RerunInput');

export const Context = z
  .object({
    id: Id,
    kind: z.enum(['JOB', 'PIPELINE']),
    ownerId: Id,
    name: z.string(),
    value: z.string(),
    sizeBytes: z.number(),
    truncated: z.boolean(),
    note: z.string().nullable(),
    pipelineRunId: Id.nullable(),
    jobRunId: Id.nullable(),
    startedAt: when,
    durationMs: z.number().nullable(),
    exitCode: z.number().int().nullable(),
    status: z.string().nullable(),
    parts: z.array(z.object({ name: z.string(), jobRunId: Id, contextId: Id.nullable() }).openapi('ContextPart')),
    updatedAt: z.string(),
  })
  .openapi('Context');

export const Executor = z
  .object({
    id: Id,
    name: z.string(),
    host: z.string(),
    pid: z.number().int(),
    pool: z.string(),
    tags: z.array(z.string()),
    drivers: z.array(z.string()),
    version: z.string(),
    state: z.enum(['IDLE', 'BUSY', 'DRAINING', 'LOST']),
    running: z.array(
      z.object({ jobRunId: Id, attempt: z.number().int(), startedAt: z.string() }).openapi('ExecutorAttempt'),
    ),
    capacity: z.number().int(),
    lastHeartbeatAt: z.string(),
    startedAt: z.string(),
    heartbeatSec: z.number(),
    pausedReason: z.string().nullable(),
  })
  .openapi('Executor');

export const ScheduleFire = z
  .object({
    plannedAt: z.string(),
    firedAt: when,
    lateMs: z.number().int().nullable(),
    status: z.enum(['FIRED', 'QUEUED', 'SKIPPED', 'FAILED']),
    reason: z.string().nullable(),
    runs: z.array(
      z
        .object({
          pipelineId: Id.nullable(),
          jobId: Id.nullable(),
          pipelineRunId: Id.nullable(),
          number: z.number().int().nullable(),
          created: z.boolean().nullable(),
          queued: z.boolean(),
          skipped: z.string().nullable(),
          error: z.string().nullable(),
        })
        .openapi('ScheduleFireRun'),
    ),
    skippedAfter: when,
    skippedCount: z.number().int().nullable(),
  })
  .openapi('ScheduleFire');

export const WebhookDelivery = z
  .object({
    id: Id,
    receivedAt: z.string(),
    provider: z.string(),
    event: z.string(),
    deliveryId: z.string(),
    repository: z.string(),
    ref: z.string(),
    commit: z.string(),
    result: z.enum(['STARTED', 'DUPLICATE', 'NO_MATCH', 'IGNORED', 'UNAUTHORIZED', 'INVALID', 'TOO_LARGE', 'FAILED']),
    message: z.string(),
    pipelineIds: z.array(Id),
    runs: z.array(
      z
        .object({ pipelineId: Id, pipelineRunId: Id, number: z.number().int(), created: z.boolean() })
        .openapi('WebhookDeliveryRun'),
    ),
  })
  .openapi('WebhookDelivery');
