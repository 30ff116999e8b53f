import { badInput } from '@fluxi/common';
import { gql, requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import type { RunQueries } from '../../engine/queries.js';
import type { ScheduleFireRow, ScheduleHistoryStore } from '../../store/schedule-history.js';
import { pipelineRunToGraphql } from './views.js';

/**
 * The fire history of a schedule: the catalog owns Schedule, the scheduler adds `history`
 * (federation: both subgraphs know the entity by its id).
 */
export const scheduleHistoryTypeDefs = gql`
  "What became of one planned time of a schedule."
  enum ScheduleFireStatus {
    "At least one run was started."
    FIRED
    "Waiting for the previous run of its target to end (overlap: QUEUE)."
    QUEUED
    "Nothing started: missed while no scheduler ran, or the previous run still running (overlap: SKIP); see reason."
    SKIPPED
    "The trigger failed for every target; see reason."
    FAILED
  }

  "What one target got at a fire."
  type ScheduleFireRun {
    pipelineId: ID
    jobId: ID
    pipelineRunId: ID
    pipelineRun: PipelineRun
    number: Int
    "False when the run of this occurrence existed already (a second leader, a pass repeated after a crash)."
    created: Boolean
    queued: Boolean!
    skipped: String
    error: String
  }

  type ScheduleFire {
    plannedAt: String!
    "When the trigger was called; null when nothing was."
    firedAt: String
    "firedAt minus plannedAt, in milliseconds."
    lateMs: Int
    status: ScheduleFireStatus!
    reason: String
    runs: [ScheduleFireRun!]!
    "A range of skipped planned times not listed one by one (long downtime): after skippedAfter, through plannedAt."
    skippedAfter: String
    skippedCount: Int
  }

  type ScheduleFirePage {
    nodes: [ScheduleFire!]!
    "Give as after for the next (older) page."
    endCursor: String
    hasNextPage: Boolean!
  }

  type Schedule @key(fields: "id") {
    id: ID!
    "Newest planned time first; first from 1 to 200."
    history(first: Int = 20, after: String): ScheduleFirePage!
  }
`;

const MAX_PAGE = 200;

function fireObject(row: ScheduleFireRow): Record<string, unknown> {
  return {
    plannedAt: row.plannedAt.toISOString(),
    firedAt: row.firedAt?.toISOString() ?? null,
    lateMs: row.firedAt === null ? null : row.firedAt.getTime() - row.plannedAt.getTime(),
    status: row.status,
    reason: row.reason,
    runs: row.runs.map((run) => ({ ...run, queued: run.queued === true })),
    skippedAfter: row.skippedAfter?.toISOString() ?? null,
    skippedCount: row.skippedCount,
  };
}

export function scheduleHistoryResolvers(history: ScheduleHistoryStore, queries: RunQueries): Resolvers {
  return {
    Schedule: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      history: async (
        schedule: { id: string },
        args: { first?: number | null; after?: string | null },
        ctx: SubgraphContext,
      ) => {
        requireRole(ctx.principal, 'reader', 'reading a schedule history');
        const first = args.first ?? 20;
        if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
          throw badInput(`first must be from 1 to ${MAX_PAGE}`, 'first');
        }
        const before = args.after === undefined || args.after === null ? null : new Date(args.after);
        if (before !== null && Number.isNaN(before.getTime()))
          throw badInput('after is not a cursor of this list', 'after');
        const rows = await history.page(schedule.id, first + 1, before);
        const nodes = rows.slice(0, first).map(fireObject);
        const last = rows[Math.min(first, rows.length) - 1];
        return {
          nodes,
          endCursor: last === undefined ? null : last.plannedAt.toISOString(),
          hasNextPage: rows.length > first,
        };
      },
    },
    ScheduleFireRun: {
      // Null once the run is gone (run retention).
      pipelineRun: async (run: { pipelineRunId?: string }) => {
        if (run.pipelineRunId === undefined) return null;
        const found = await queries.run(run.pipelineRunId);
        return found === undefined ? null : pipelineRunToGraphql(found);
      },
    },
  };
}
