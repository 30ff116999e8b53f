import { ExecutorState } from '@fluxi/contracts';
import { requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import type { RunQueries } from '../../engine/queries.js';
import type { ExecutorDirectory, ObservedExecutor } from '../nats/executor-directory.js';
import { jobRunToGraphql } from './views.js';

/** The GraphQL enum value of a state (ExecutorState in type-defs.ts). */
const STATE_NAMES: Record<ExecutorState, string> = {
  [ExecutorState.UNSPECIFIED]: 'IDLE',
  [ExecutorState.IDLE]: 'IDLE',
  [ExecutorState.BUSY]: 'BUSY',
  [ExecutorState.DRAINING]: 'DRAINING',
  [ExecutorState.LOST]: 'LOST',
};

const iso = (ms: bigint): string => new Date(Number(ms)).toISOString();

export function executorToGraphql({ info, state }: ObservedExecutor) {
  return {
    id: info.id,
    name: info.name,
    host: info.host,
    pid: info.pid,
    pool: info.pool,
    tags: info.tags,
    drivers: info.drivers,
    version: info.buildVersion,
    state: STATE_NAMES[state],
    running: info.running.map((attempt) => ({
      jobRunId: attempt.jobRunId,
      attempt: attempt.attempt,
      startedAt: iso(attempt.startedAtMs),
    })),
    capacity: info.capacity,
    lastHeartbeatAt: iso(info.lastHeartbeatMs),
    startedAt: iso(info.startedAtMs),
    heartbeatSec: info.heartbeatMs / 1000,
    pausedReason: info.pausedReason === '' ? null : info.pausedReason,
  };
}

/** The executors query (reader) and the drain/resume mutations (admin). */
export function buildExecutorResolvers(directory: ExecutorDirectory, queries: RunQueries): Resolvers {
  return {
    Query: {
      executors: async (_: unknown, _args: unknown, ctx: SubgraphContext) => {
        requireRole(ctx.principal, 'reader', 'listing executors');
        return (await directory.list()).map(executorToGraphql);
      },
    },
    Mutation: {
      drainExecutor: async (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
        const principal = requireRole(ctx.principal, 'admin', 'draining an executor');
        return executorToGraphql(await directory.drain(args.id, principal.userName));
      },
      resumeExecutor: async (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
        const principal = requireRole(ctx.principal, 'admin', 'resuming an executor');
        return executorToGraphql(await directory.resume(args.id, principal.userName));
      },
    },
    ExecutorAttempt: {
      jobRun: async (attempt: { jobRunId: string }) => {
        const jobRun = await queries.jobRun(attempt.jobRunId);
        return jobRun === undefined ? null : jobRunToGraphql(jobRun);
      },
    },
  };
}
