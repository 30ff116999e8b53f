import { notFound } from '@fluxi/common';
import { idempotencyKeyOf } from '../../domain/idempotency.js';
import { pipelineVariablesOf, type PipelineVariableInput } from '../../domain/pipeline-variables.js';
import { requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import { hasWarnings } from '../../domain/readiness.js';
import type { RunStatus } from '../../domain/status.js';
import type { RunLoaders, RunQueries } from '../../engine/queries.js';
import type { RunEngine } from '../../engine/run-engine.js';
import type { TriggeredRun, TriggerRequest } from '../../engine/systems/trigger.js';
import type { JobRunRecord } from '../../store/records.js';
import {
  artifactToGraphql,
  attemptToGraphql,
  contextToGraphql,
  jobRunToGraphql,
  pipelineRunToGraphql,
  stageRunToGraphql,
} from './views.js';

interface TriggerOptionsInput {
  trigger?: 'MANUAL' | 'API' | 'SCHEDULE' | 'WEBHOOK' | 'RERUN' | null;
  branch?: string | null;
  commit?: string | null;
  idempotencyKey?: string | null;
  variables?: PipelineVariableInput[] | null;
}

type Args<T> = T & { id: string };

/**
 * Resolvers of the scheduler subgraph: thin, they check roles and call the engine. What
 * hangs off a run (job runs, stages, attempts, artifacts) is read only when selected,
 * in batches per request.
 */
export function buildResolvers(engine: RunEngine, queries: RunQueries): Resolvers {
  const perRequest = new WeakMap<SubgraphContext, RunLoaders>();
  const loaders = (ctx: SubgraphContext): RunLoaders => {
    let found = perRequest.get(ctx);
    if (found === undefined) {
      found = queries.loaders();
      perRequest.set(ctx, found);
    }
    return found;
  };
  const runById = async (id: string) => {
    const run = await queries.run(id);
    return run === undefined ? null : pipelineRunToGraphql(run);
  };
  const requireRun = async (id: string) => {
    const run = await queries.run(id);
    if (run === undefined) throw notFound('run', id);
    return pipelineRunToGraphql(run);
  };
  /** A trigger's answer: the run as the trigger committed it (read back only for an existing run). */
  const triggered = (ctx: SubgraphContext, run: TriggeredRun) => {
    if (run.records === undefined) return requireRun(run.id);
    loaders(ctx).jobRuns.prime(run.id, [...run.records.jobRuns]);
    return pipelineRunToGraphql(run.records.run);
  };
  const jobRunById = async (id: string) => {
    const jobRun = await queries.jobRun(id);
    return jobRun === undefined ? null : jobRunToGraphql(jobRun);
  };
  const triggerRequest = (
    ctx: SubgraphContext,
    action: string,
    options?: TriggerOptionsInput | null,
  ): TriggerRequest => {
    const principal = requireRole(ctx.principal, 'writer', action);
    const variables = pipelineVariablesOf(options?.variables, 'options.variables');
    return {
      // Schedules and webhooks are started by Fluxi itself; a client says manual or api.
      trigger: options?.trigger === 'API' ? 'api' : 'manual',
      triggeredBy: principal.userId,
      triggeredByName: principal.userName,
      branch: options?.branch ?? null,
      commitSha: options?.commit ?? null,
      idempotencyKey: idempotencyKeyOf(options?.idempotencyKey, 'options.idempotencyKey'),
      provenance: Object.keys(variables).length === 0 ? null : { variables },
    };
  };
  return {
    Query: {
      pipelineRun: (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
        requireRole(ctx.principal, 'reader', 'reading runs');
        return runById(args.id);
      },
      pipelineRuns: async (_: unknown, args: { pipelineId: string; limit?: number | null }, ctx: SubgraphContext) => {
        requireRole(ctx.principal, 'reader', 'reading runs');
        const runs = await queries.runsOfPipeline(args.pipelineId, args.limit ?? undefined);
        return runs.map(pipelineRunToGraphql);
      },
      jobRun: (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
        requireRole(ctx.principal, 'reader', 'reading runs');
        return jobRunById(args.id);
      },
      context: async (_: unknown, args: { name: string }, ctx: SubgraphContext) => {
        requireRole(ctx.principal, 'reader', 'reading contexts');
        const context = await engine.contexts.find(args.name);
        return context === undefined ? null : contextToGraphql(context);
      },
      contexts: async (_: unknown, __: unknown, ctx: SubgraphContext) => {
        requireRole(ctx.principal, 'reader', 'reading contexts');
        return (await engine.contexts.list()).map(contextToGraphql);
      },
    },
    Mutation: {
      triggerPipeline: async (_: unknown, args: Args<{ options?: TriggerOptionsInput | null }>, ctx: SubgraphContext) =>
        triggered(
          ctx,
          await engine.trigger.trigger(
            { pipelineId: args.id },
            triggerRequest(ctx, 'triggering a pipeline', args.options),
          ),
        ),
      triggerJob: async (_: unknown, args: Args<{ options?: TriggerOptionsInput | null }>, ctx: SubgraphContext) =>
        triggered(
          ctx,
          await engine.trigger.trigger({ jobId: args.id }, triggerRequest(ctx, 'triggering a job', args.options)),
        ),
      cancelPipelineRun: async (_: unknown, args: Args<{ reason?: string | null }>, ctx: SubgraphContext) => {
        const principal = requireRole(ctx.principal, 'writer', 'cancelling a run');
        await engine.cancel.cancelRun(args.id, principal.userName, args.reason ?? undefined);
        return requireRun(args.id);
      },
      cancelJobRun: async (_: unknown, args: Args<{ reason?: string | null }>, ctx: SubgraphContext) => {
        const principal = requireRole(ctx.principal, 'writer', 'cancelling a job run');
        await engine.cancel.cancelJobRun(args.id, principal.userName, args.reason ?? undefined);
        return jobRunById(args.id);
      },
      playJobRun: async (_: unknown, args: Args<object>, ctx: SubgraphContext) => {
        const principal = requireRole(ctx.principal, 'writer', 'playing a manual job run');
        await engine.play.play(args.id, principal.userName);
        return jobRunById(args.id);
      },
      rerunPipelineRun: async (_: unknown, args: Args<{ failedOnly?: boolean | null }>, ctx: SubgraphContext) => {
        const principal = requireRole(ctx.principal, 'writer', 'rerunning a run');
        const id = await engine.rerun.rerun(args.id, args.failedOnly ?? false, {
          triggeredBy: principal.userId,
          triggeredByName: principal.userName,
        });
        return requireRun(id);
      },
      resetContext: async (_: unknown, args: { name: string }, ctx: SubgraphContext) => {
        requireRole(ctx.principal, 'writer', 'resetting a context');
        return contextToGraphql(await engine.contexts.reset(args.name));
      },
    },
    PipelineRun: {
      __resolveReference: (reference: { id: string }) => runById(reference.id),
      // Only a successful run can have warnings: the others need not read their job runs.
      warnings: async (run: { id: string; status: RunStatus }, _: unknown, ctx: SubgraphContext) =>
        run.status === 'SUCCESS' && hasWarnings(run.status, await loaders(ctx).jobRuns.load(run.id)),
      stages: async (run: { id: string }, _: unknown, ctx: SubgraphContext) =>
        (await loaders(ctx).stages.load(run.id)).map(stageRunToGraphql),
      jobRuns: async (run: { id: string }, _: unknown, ctx: SubgraphContext) =>
        (await loaders(ctx).jobRuns.load(run.id)).map(jobRunToGraphql),
    },
    JobRun: {
      __resolveReference: (reference: { id: string }) => jobRunById(reference.id),
      waitingReason: (jobRun: { record: JobRunRecord }) => engine.dispatch.waitingReason(jobRun.record),
      attempts: async (jobRun: { record: JobRunRecord }, _: unknown, ctx: SubgraphContext) =>
        (await loaders(ctx).attempts.load(jobRun.record)).map(attemptToGraphql),
      artifacts: async (jobRun: { record: JobRunRecord }, _: unknown, ctx: SubgraphContext) =>
        (await loaders(ctx).artifacts.load(jobRun.record.reusedFrom ?? jobRun.record.id)).map(artifactToGraphql),
    },
  };
}
