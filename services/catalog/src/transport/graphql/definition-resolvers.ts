import { notFound } from '@fluxi/common';
import { requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import type { Job, JobInput } from '../../domain/job.js';
import { envAnswer } from '../../domain/secret-env.js';
import { retryInput } from '../../domain/retry.js';
import type { Pipeline, PipelineInput, StageEntryDefinition } from '../../domain/pipeline.js';
import type { JobStore } from '../../store/job-store.js';
import type { PipelineStore } from '../../store/pipeline-store.js';

interface IdArgs {
  id: string;
}

const iso = (date: Date): string => date.toISOString();

export function jobObject(job: Job): Record<string, unknown> {
  return {
    ...job,
    env: job.env.map(envAnswer),
    retry: retryInput(job.retry),
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
  };
}

export function pipelineObject(pipeline: Pipeline): Record<string, unknown> {
  const { webhookSecretSetAt, git, ...rest } = pipeline;
  return {
    ...rest,
    git:
      git === null
        ? null
        : {
            ...git,
            hasWebhookSecret: webhookSecretSetAt !== null,
            webhookSecretSetAt: webhookSecretSetAt === null ? null : iso(webhookSecretSetAt),
          },
    createdAt: iso(pipeline.createdAt),
    updatedAt: iso(pipeline.updatedAt),
  };
}

/** Jobs and pipelines: queries need a reader, mutations a writer. */
export function definitionResolvers(jobs: JobStore, pipelines: PipelineStore): Resolvers {
  const read = (ctx: SubgraphContext, what: string) => requireRole(ctx.principal, 'reader', what);
  const write = (ctx: SubgraphContext, what: string) => requireRole(ctx.principal, 'writer', what);
  return {
    Query: {
      jobs: async (_: unknown, __: unknown, ctx: SubgraphContext) => {
        read(ctx, 'listing jobs');
        return (await jobs.list()).map(jobObject);
      },
      job: async (_: unknown, { id }: IdArgs, ctx: SubgraphContext) => {
        read(ctx, 'reading a job');
        return jobObject(await jobs.require(id));
      },
      pipelines: async (_: unknown, __: unknown, ctx: SubgraphContext) => {
        read(ctx, 'listing pipelines');
        return (await pipelines.list()).map(pipelineObject);
      },
      pipeline: async (_: unknown, { id }: IdArgs, ctx: SubgraphContext) => {
        read(ctx, 'reading a pipeline');
        return pipelineObject(await pipelines.require(id));
      },
    },
    Mutation: {
      createJob: async (_: unknown, { input }: { input: JobInput }, ctx: SubgraphContext) => {
        write(ctx, 'createJob');
        return jobObject(await jobs.create(input));
      },
      updateJob: async (_: unknown, { id, input }: IdArgs & { input: JobInput }, ctx: SubgraphContext) => {
        write(ctx, 'updateJob');
        return jobObject(await jobs.update(id, input));
      },
      deleteJob: async (_: unknown, { id }: IdArgs, ctx: SubgraphContext) => {
        write(ctx, 'deleteJob');
        await jobs.delete(id);
        return true;
      },
      createPipeline: async (_: unknown, { input }: { input: PipelineInput }, ctx: SubgraphContext) => {
        write(ctx, 'createPipeline');
        return pipelineObject(await pipelines.create(input));
      },
      updatePipeline: async (_: unknown, { id, input }: IdArgs & { input: PipelineInput }, ctx: SubgraphContext) => {
        write(ctx, 'updatePipeline');
        return pipelineObject(await pipelines.replace(id, input));
      },
      deletePipeline: async (_: unknown, { id }: IdArgs, ctx: SubgraphContext) => {
        write(ctx, 'deletePipeline');
        await pipelines.delete(id);
        return true;
      },
      setPipelineWebhookSecret: async (
        _: unknown,
        { pipelineId, secret }: { pipelineId: string; secret?: string | null },
        ctx: SubgraphContext,
      ) => {
        write(ctx, 'setPipelineWebhookSecret');
        return pipelineObject(await pipelines.setWebhookSecret(pipelineId, secret ?? null));
      },
    },
    Job: {
      __resolveReference: async (ref: IdArgs, ctx: SubgraphContext) => {
        read(ctx, 'reading a job');
        const job = await jobs.get(ref.id);
        return job === undefined ? null : jobObject(job);
      },
    },
    Pipeline: {
      __resolveReference: async (ref: IdArgs, ctx: SubgraphContext) => {
        read(ctx, 'reading a pipeline');
        const pipeline = await pipelines.get(ref.id);
        return pipeline === undefined ? null : pipelineObject(pipeline);
      },
    },
    StageEntry: {
      // Entries stored before these fields existed have neither.
      artifactsFrom: (entry: StageEntryDefinition) => entry.artifactsFrom ?? null,
      startAtOnce: (entry: StageEntryDefinition) => entry.startAtOnce === true,
      allowFailureExitCodes: (entry: StageEntryDefinition) => entry.allowFailureExitCodes ?? [],
      rules: (entry: StageEntryDefinition) => entry.rules ?? [],
      job: async (entry: StageEntryDefinition) => {
        const job = await jobs.get(entry.jobId);
        if (job === undefined) throw notFound('job', entry.jobId);
        return jobObject(job);
      },
    },
  };
}
