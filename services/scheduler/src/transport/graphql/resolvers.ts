import { requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import type { PipelineRunView, RunQueries } from '../../engine/queries.js';
import type { TriggerSystem } from '../../engine/systems/trigger.js';
import type { JobRunRecord } from '../../store/records.js';

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function pipelineRunToGraphql(run: PipelineRunView) {
  return {
    id: run.id,
    pipelineId: run.pipelineId,
    jobId: run.jobId,
    number: run.number,
    status: run.status,
    trigger: run.trigger,
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    endedAt: iso(run.endedAt),
    jobRuns: run.jobRuns.map(jobRunToGraphql),
  };
}

export function jobRunToGraphql(jobRun: JobRunRecord) {
  return {
    id: jobRun.id,
    pipelineRunId: jobRun.pipelineRunId,
    jobId: jobRun.jobId,
    name: jobRun.name,
    stage: jobRun.stageName,
    status: jobRun.status,
    exitCode: jobRun.exitCode,
    attempt: jobRun.attempt,
    failureClass: jobRun.failureClass,
    reason: jobRun.reason,
    startedAt: iso(jobRun.startedAt),
    endedAt: iso(jobRun.endedAt),
  };
}

/** Resolvers of the scheduler subgraph: thin, they check roles and call the engine. */
export function buildResolvers(trigger: TriggerSystem, queries: RunQueries): Resolvers {
  const runById = async (id: string) => {
    const run = await queries.run(id);
    return run === undefined ? null : pipelineRunToGraphql(run);
  };
  const createdRun = async (id: string) => {
    const run = await queries.run(id);
    if (run === undefined) throw new Error(`run ${id} vanished after it was created`);
    return pipelineRunToGraphql(run);
  };
  return {
    Query: {
      pipelineRun: (_parent: unknown, args: { id: string }, ctx: SubgraphContext) => {
        requireRole(ctx.principal, 'reader', 'reading runs');
        return runById(args.id);
      },
      pipelineRuns: async (
        _parent: unknown,
        args: { pipelineId: string; limit?: number | null },
        ctx: SubgraphContext,
      ) => {
        requireRole(ctx.principal, 'reader', 'reading runs');
        const runs = await queries.runsOfPipeline(args.pipelineId, args.limit ?? undefined);
        return runs.map(pipelineRunToGraphql);
      },
    },
    Mutation: {
      triggerPipeline: async (_parent: unknown, args: { id: string }, ctx: SubgraphContext) => {
        const principal = requireRole(ctx.principal, 'writer', 'triggering a pipeline');
        return createdRun(await trigger.triggerPipeline(args.id, { trigger: 'manual', triggeredBy: principal.userId }));
      },
      triggerJob: async (_parent: unknown, args: { id: string }, ctx: SubgraphContext) => {
        const principal = requireRole(ctx.principal, 'writer', 'triggering a job');
        return createdRun(await trigger.triggerJob(args.id, { trigger: 'manual', triggeredBy: principal.userId }));
      },
    },
    PipelineRun: {
      __resolveReference: (reference: { id: string }) => runById(reference.id),
    },
    JobRun: {
      __resolveReference: async (reference: { id: string }) => {
        const jobRun = await queries.jobRun(reference.id);
        return jobRun === undefined ? null : jobRunToGraphql(jobRun);
      },
    },
  };
}
