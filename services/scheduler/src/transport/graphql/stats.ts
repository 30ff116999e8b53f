import { gql, requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import { ExecutorState } from '@fluxi/contracts';
import type { RunStatsStore } from '../../store/stats-store.js';
import type { ObservedExecutor } from '../nats/executor-directory.js';
import type { QueueDepth } from '../queue/execute-queue.js';

/** The one Stats entity of an installation (the catalog adds its definition counts to it). */
const STATS_ID = 'installation';
const HOUR_MS = 3_600_000;
const RUN_STATUSES = ['PENDING', 'QUEUED', 'RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED', 'SKIPPED', 'MANUAL'] as const;

export const statsTypeDefs = gql`
  "Figures of the whole installation for clients (dashboards, the CLI)."
  type Stats @key(fields: "id") {
    id: ID!
    "Runs by status, every status listed."
    runsByStatus: [RunStatusCount!]!
    "Runs created in each of the last 24 hours, oldest first (24 entries, the current hour last)."
    runsPerHour: [HourRuns!]!
    "Succeeded / (succeeded + failed) of the runs ended in the last 24 hours; null when none ended."
    successRate24h: Float
    "Executor queue jobs per pool."
    queueDepth: [PoolQueueDepth!]!
    "Live executors: busy (running at least one attempt), idle, draining; lost ones apart."
    executors: ExecutorCounts!
  }

  type RunStatusCount {
    status: RunStatus!
    count: Int!
  }

  type HourRuns {
    "The hour's start (ISO 8601)."
    hour: String!
    total: Int!
    succeeded: Int!
    failed: Int!
  }

  type PoolQueueDepth {
    pool: String!
    "Waiting for an executor."
    waiting: Int!
    "Retries waiting for their backoff."
    delayed: Int!
    "Taken by an executor."
    active: Int!
  }

  type ExecutorCounts {
    busy: Int!
    idle: Int!
    draining: Int!
    lost: Int!
    "Attempts running on live executors, and how many they can run at once."
    runningJobs: Int!
    capacity: Int!
  }

  extend type Query {
    "Counts of runs, queues and executors (reader); jobCount and pipelineCount come from the catalog."
    stats: Stats!
  }
`;

export interface StatsSources {
  stats: RunStatsStore;
  queue: { depths(): Promise<Map<string, QueueDepth>> };
  executors: { list(): Promise<ObservedExecutor[]> };
  now?: () => Date;
}

export function statsResolvers(sources: StatsSources): Resolvers {
  const now = sources.now ?? (() => new Date());
  const stats = async () => {
    const at = now();
    const since = new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS - 23 * HOUR_MS);
    const [byStatus, hours, ended, depths, executors] = await Promise.all([
      sources.stats.runsByStatus(),
      sources.stats.runsPerHour(since),
      sources.stats.endedSince(new Date(at.getTime() - 24 * HOUR_MS)),
      sources.queue.depths(),
      sources.executors.list(),
    ]);
    const perHour = new Map(hours.map((hour) => [hour.hour.getTime(), hour]));
    return {
      id: STATS_ID,
      runsByStatus: RUN_STATUSES.map((status) => ({ status, count: byStatus.get(status) ?? 0 })),
      runsPerHour: Array.from({ length: 24 }, (_, i) => {
        const hour = since.getTime() + i * HOUR_MS;
        const found = perHour.get(hour);
        return {
          hour: new Date(hour).toISOString(),
          total: found?.total ?? 0,
          succeeded: found?.succeeded ?? 0,
          failed: found?.failed ?? 0,
        };
      }),
      successRate24h: ended.succeeded + ended.failed === 0 ? null : ended.succeeded / (ended.succeeded + ended.failed),
      queueDepth: [...depths].map(([pool, depth]) => ({ pool, ...depth })).sort((a, b) => a.pool.localeCompare(b.pool)),
      executors: executorCounts(executors),
    };
  };
  return {
    Query: {
      stats: async (_: unknown, _args: unknown, ctx: SubgraphContext) => {
        requireRole(ctx.principal, 'reader', 'reading the stats');
        return stats();
      },
    },
    Stats: {
      __resolveReference: async (_reference: { id: string }, ctx: SubgraphContext) => {
        requireRole(ctx.principal, 'reader', 'reading the stats');
        return stats();
      },
    },
  };
}

function executorCounts(list: readonly ObservedExecutor[]) {
  const counts = { busy: 0, idle: 0, draining: 0, lost: 0, runningJobs: 0, capacity: 0 };
  for (const { info, state } of list) {
    if (state === ExecutorState.LOST) {
      counts.lost += 1;
      continue;
    }
    if (state === ExecutorState.DRAINING) counts.draining += 1;
    else if (info.running.length > 0) counts.busy += 1;
    else counts.idle += 1;
    counts.runningJobs += info.running.length;
    counts.capacity += info.capacity;
  }
  return counts;
}
