import { route, type RestRoute } from '../route.js';
import { z } from '../zod.js';

const Count = z.number().int();

/** The stats query's answer, field for field (the scheduler's Stats entity plus the catalog's counts). */
const Stats = z
  .object({
    jobCount: Count,
    pipelineCount: Count,
    scheduleCount: Count,
    enabledScheduleCount: Count,
    runsByStatus: z.array(
      z
        .object({
          status: z.enum(['PENDING', 'QUEUED', 'RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED', 'SKIPPED', 'MANUAL']),
          count: Count,
        })
        .openapi('RunStatusCount'),
    ),
    runsPerHour: z.array(
      z
        .object({ hour: z.string(), total: Count, succeeded: Count, failed: Count })
        .openapi('HourRuns', { description: 'Runs created in one hour (hour: its start, ISO 8601).' }),
    ),
    successRate24h: z.number().nullable().openapi({
      description: 'Succeeded / (succeeded + failed) of the runs ended in the last 24 hours; null when none ended.',
    }),
    queueDepth: z.array(
      z.object({ pool: z.string(), waiting: Count, delayed: Count, active: Count }).openapi('PoolQueueDepth'),
    ),
    executors: z
      .object({
        busy: Count,
        idle: Count,
        draining: Count,
        lost: Count,
        runningJobs: Count,
        capacity: Count,
      })
      .openapi('ExecutorCounts'),
  })
  .openapi('Stats');

export const statsRoutes: RestRoute[] = [
  route({
    method: 'get',
    path: '/stats',
    operationId: 'getStats',
    summary: 'Counts of the installation',
    description:
      'Jobs, pipelines and schedules defined; runs by status and per hour (last 24 hours); success rate; ' +
      'executor queue depth per pool; executors busy, idle, draining and lost. GraphQL: stats.',
    tag: 'stats',
    role: 'reader',
    status: 200,
    response: Stats,
    handle: (gql) => gql.call('query', 'stats', {}, {}, Stats),
  }),
];
