import { DEFAULT_POOL } from '../routing.js';
import type { DockerOptions } from '../docker.js';
import type { EnvVar, JobDefinition } from '../job.js';
import type { PipelineDefinition, StageEntryDefinition } from '../pipeline.js';
import type { RetryPolicy } from '../retry.js';
import { DEFAULT_MISSED_FIRES, DEFAULT_OVERLAP, type ScheduleDefinition } from '../schedule.js';
import { isSecretEnv } from '../secret-env.js';
import type { FileDocker, FileEnvValue, FileEntry, FileJob, FilePipeline, FileRetry, FileSchedule } from './schema.js';

/**
 * The one written form of each definition: file fields in schema order, defaults
 * left out. Export writes it; import compares it field by field to find changes.
 */

/** Drops the keys whose value is undefined (JSON and YAML output stay minimal). */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const nonEmpty = <T>(values: T[]): T[] | undefined => (values.length === 0 ? undefined : values);
const lower = <T extends string>(value: T): Lowercase<T> => value.toLowerCase() as Lowercase<T>;

export function canonicalJob(job: JobDefinition): FileJob {
  return compact({
    command: job.command,
    image: job.image ?? undefined,
    env: job.env.length === 0 ? undefined : Object.fromEntries(job.env.map((v) => [v.name, envValue(v)])),
    workdir: job.workdir ?? undefined,
    timeoutSec: job.timeoutSec ?? undefined,
    maxAttempts: job.maxAttempts === 1 ? undefined : job.maxAttempts,
    allowFailure: job.allowFailure ? true : undefined,
    allowFailureExitCodes: nonEmpty(job.allowFailureExitCodes ?? []),
    retry: canonicalRetry(job.retry),
    artifacts: nonEmpty(job.artifacts),
    pool: job.pool === DEFAULT_POOL ? undefined : job.pool,
    tags: nonEmpty(job.tags),
    maxConcurrent: job.maxConcurrent ?? undefined,
    docker: canonicalDocker(job.docker),
    checkout: job.checkout ? true : undefined,
    secrets: nonEmpty(job.secrets),
  });
}

/**
 * A secret entry is written without its value, except a new one read from a file (so that an
 * import with a value counts as a change): an export, read from the catalog, never holds one.
 */
function envValue(entry: EnvVar): FileEnvValue {
  if (!isSecretEnv(entry)) return entry.value;
  return entry.value === undefined ? { secret: true } : { secret: true, value: entry.value };
}

function canonicalDocker(docker: DockerOptions): FileDocker | undefined {
  const written = compact({
    pullPolicy: docker.pullPolicy === 'IF_NOT_PRESENT' ? undefined : lower(docker.pullPolicy),
    cpus: docker.cpus ?? undefined,
    memoryMiB: docker.memoryMiB ?? undefined,
    entrypoint: nonEmpty(docker.entrypoint),
    keepOnFailure: docker.keepOnFailure ? true : undefined,
  });
  return Object.keys(written).length === 0 ? undefined : written;
}

function canonicalRetry(retry: RetryPolicy): FileRetry | undefined {
  const written = compact({
    on: nonEmpty(retry.on.map(lower)),
    exitCodes: nonEmpty(retry.exitCodes),
    backoff: retry.backoff === 'FIXED' ? undefined : lower(retry.backoff),
    delaySec: retry.delayMs === 0 ? undefined : retry.delayMs / 1000,
    maxDelaySec: retry.maxDelayMs === null ? undefined : retry.maxDelayMs / 1000,
    jitter: retry.jitter ? true : undefined,
  });
  return Object.keys(written).length === 0 ? undefined : written;
}

/** `pipeline`'s entries name their job (NamedDefinitions form). */
export function canonicalPipeline(pipeline: PipelineDefinition): FilePipeline {
  return compact({
    description: pipeline.description ?? undefined,
    timeoutSec: pipeline.timeoutSec ?? undefined,
    concurrency:
      pipeline.concurrency === null
        ? undefined
        : compact({ group: pipeline.concurrency.group, cancelOlder: pipeline.concurrency.cancelOlder || undefined }),
    retention:
      pipeline.retention === null
        ? undefined
        : compact({
            runDays: pipeline.retention.runDays ?? undefined,
            logDays: pipeline.retention.logDays ?? undefined,
          }),
    git:
      pipeline.git === null
        ? undefined
        : compact({
            repository: pipeline.git.repository,
            branches: nonEmpty(pipeline.git.branches),
            tags: nonEmpty(pipeline.git.tags),
            events: nonEmpty(pipeline.git.events.map(lower)),
          }),
    stages: pipeline.stages.map((stage) => ({ name: stage.name, jobs: stage.entries.map(canonicalEntry) })),
  });
}

function canonicalEntry(entry: StageEntryDefinition): FileEntry {
  return compact({
    job: entry.jobId,
    name: entry.name === entry.jobId ? undefined : entry.name,
    needs: nonEmpty(entry.needs),
    when: entry.when === 'ON_SUCCESS' ? undefined : lower(entry.when),
    allowFailure: entry.allowFailure ?? undefined,
    matrix: entry.matrix.length === 0 ? undefined : Object.fromEntries(entry.matrix.map((a) => [a.name, a.values])),
    pool: entry.pool ?? undefined,
    tags: nonEmpty(entry.tags),
    artifactsFrom: entry.artifactsFrom ?? undefined,
    allowFailureExitCodes: entry.allowFailureExitCodes,
    rules:
      entry.rules === undefined || entry.rules.length === 0
        ? undefined
        : entry.rules.map((rule) =>
            compact({
              if: rule.if ?? undefined,
              when: rule.when === 'ON_SUCCESS' ? undefined : lower(rule.when),
              allowFailure: rule.allowFailure ?? undefined,
            }),
          ),
    startAtOnce: entry.startAtOnce === true ? true : undefined,
  });
}

/** Target ids are names (NamedDefinitions form); one pipeline target is written as `pipeline`. */
export function canonicalSchedule(schedule: ScheduleDefinition): FileSchedule {
  const [first, ...others] = schedule.targets;
  const single = first !== undefined && others.length === 0 && first.pipelineId !== null;
  return compact({
    pipeline: single ? (first.pipelineId ?? undefined) : undefined,
    targets: single
      ? undefined
      : schedule.targets.map((target) =>
          target.pipelineId !== null ? { pipeline: target.pipelineId } : { job: target.jobId ?? '' },
        ),
    cron: schedule.cron ?? undefined,
    at: schedule.at?.toISOString(),
    timezone: schedule.timezone === 'UTC' ? undefined : schedule.timezone,
    enabled: schedule.enabled ? undefined : false,
    overlap: schedule.overlap === DEFAULT_OVERLAP ? undefined : lowerPolicy(schedule.overlap),
    missedFires: schedule.missedFires === DEFAULT_MISSED_FIRES ? undefined : lowerPolicy(schedule.missedFires),
  });
}

function lowerPolicy<T extends string>(value: T): Lowercase<T> {
  return value.toLowerCase() as Lowercase<T>;
}
