import { isFluxiError } from '@fluxi/common';
import { requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import { isDefaultDocker } from '../../domain/docker.js';
import type { Job, JobInput } from '../../domain/job.js';
import type { Pipeline, PipelineInput } from '../../domain/pipeline.js';
import { retryInput } from '../../domain/retry.js';
import type { Schedule, ScheduleInput } from '../../domain/schedule.js';
import type { JobStore } from '../../store/job-store.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import type { ScheduleStore } from '../../store/schedule-store.js';
import { jobObject, pipelineObject } from './definition-resolvers.js';
import { scheduleObject, type ScheduleChanges } from './schedule-resolvers.js';

interface CopyArgs {
  id: string;
  name?: string | null;
}

/** The longest name the catalog's naming rule allows. */
const MAX_NAME = 100;
/** Tries when another writer takes the chosen name between the look-up and the insert. */
const ATTEMPTS = 5;

/**
 * The first free name of a copy of `base`: `<base>-copy`, then `<base>-copy-2`, `-copy-3`…, the
 * base shortened so the whole stays within the naming rule's 100 characters.
 */
export function copyName(base: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '-copy' : `-copy-${n}`;
    const name = `${base.slice(0, MAX_NAME - suffix.length)}${suffix}`;
    if (!taken.has(name)) return name;
  }
}

export function jobInputOf(job: Job): JobInput {
  return {
    name: job.name,
    command: job.command,
    image: job.image,
    env: job.env.map((item) => ({ ...item })),
    workdir: job.workdir,
    timeoutSec: job.timeoutSec,
    maxAttempts: job.maxAttempts,
    allowFailure: job.allowFailure,
    allowFailureExitCodes: [...job.allowFailureExitCodes],
    retry: retryInput(job.retry),
    artifacts: [...job.artifacts],
    pool: job.pool,
    tags: [...job.tags],
    maxConcurrent: job.maxConcurrent,
    docker: job.image === null && isDefaultDocker(job.docker) ? null : { ...job.docker },
    checkout: job.checkout,
    secrets: [...job.secrets],
  };
}

/** The input that recreates `pipeline`, without its webhook secret (sealed for its own id, never read back). */
export function pipelineInputOf(pipeline: Pipeline): PipelineInput {
  return {
    name: pipeline.name,
    description: pipeline.description,
    stages: pipeline.stages.map((stage) => ({
      name: stage.name,
      entries: stage.entries.map((entry) => ({
        jobId: entry.jobId,
        name: entry.name,
        needs: [...entry.needs],
        when: entry.when,
        matrix: entry.matrix.map((axis) => ({ name: axis.name, values: [...axis.values] })),
        allowFailure: entry.allowFailure,
        pool: entry.pool,
        tags: [...entry.tags],
        artifactsFrom: entry.artifactsFrom ?? null,
        startAtOnce: entry.startAtOnce === true,
        allowFailureExitCodes: entry.allowFailureExitCodes ?? null,
        rules: entry.rules ?? null,
      })),
    })),
    timeoutSec: pipeline.timeoutSec,
    concurrency: pipeline.concurrency,
    retention: pipeline.retention,
    git:
      pipeline.git === null
        ? null
        : {
            repository: pipeline.git.repository,
            branches: [...pipeline.git.branches],
            tags: [...pipeline.git.tags],
            events: [...pipeline.git.events],
          },
  };
}

/** The input that recreates `schedule`, disabled. */
export function scheduleInputOf(schedule: Schedule): ScheduleInput {
  return {
    name: schedule.name,
    targets: schedule.targets.map((target) => ({ pipelineId: target.pipelineId, jobId: target.jobId })),
    cron: schedule.cron,
    at: schedule.at?.toISOString() ?? null,
    timezone: schedule.timezone,
    enabled: false,
    overlap: schedule.overlap,
    missedFires: schedule.missedFires,
  };
}

/**
 * Creates the copy through the store's own create (the same validation as createJob and the
 * others). Without a name given, a name taken meanwhile by another writer means another try.
 */
async function createCopy<T>(
  given: string | null | undefined,
  base: string,
  names: () => Promise<string[]>,
  create: (name: string) => Promise<T>,
): Promise<T> {
  if (given !== undefined && given !== null) return create(given);
  for (let attempt = 1; ; attempt++) {
    const name = copyName(base, new Set(await names()));
    try {
      return await create(name);
    } catch (error) {
      if (attempt >= ATTEMPTS || !isFluxiError(error) || error.code !== 'CONFLICT') throw error;
    }
  }
}

/** copyJob, copyPipeline, copySchedule: the writer role, like creating. */
export function copyResolvers(
  jobs: JobStore,
  pipelines: PipelineStore,
  schedules: ScheduleStore,
  changes: ScheduleChanges,
): Resolvers {
  const write = (ctx: SubgraphContext, what: string) => requireRole(ctx.principal, 'writer', what);
  return {
    Mutation: {
      copyJob: async (_: unknown, { id, name }: CopyArgs, ctx: SubgraphContext) => {
        write(ctx, 'copyJob');
        const job = await jobs.require(id);
        const names = async () => (await jobs.list()).map((item) => item.name);
        // The secret env values go along, opened and sealed again for the copy's id.
        return jobObject(
          await createCopy(name, job.name, names, (n) => jobs.create({ ...jobInputOf(job), name: n }, job.id)),
        );
      },
      copyPipeline: async (_: unknown, { id, name }: CopyArgs, ctx: SubgraphContext) => {
        write(ctx, 'copyPipeline');
        const pipeline = await pipelines.require(id);
        const names = async () => (await pipelines.list()).map((item) => item.name);
        const copy = await createCopy(name, pipeline.name, names, (n) =>
          pipelines.create({ ...pipelineInputOf(pipeline), name: n }),
        );
        return pipelineObject(copy);
      },
      copySchedule: async (_: unknown, { id, name }: CopyArgs, ctx: SubgraphContext) => {
        write(ctx, 'copySchedule');
        const schedule = await schedules.require(id);
        const names = async () => (await schedules.list()).map((item) => item.name);
        const copy = await createCopy(name, schedule.name, names, (n) =>
          schedules.create({ ...scheduleInputOf(schedule), name: n }),
        );
        await changes.changed(copy.id);
        return scheduleObject(copy);
      },
    },
  };
}
