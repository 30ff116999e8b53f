import { gql, requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import type { StatsStore } from '../../store/stats-store.js';

/**
 * The catalog's part of `Stats` (the scheduler owns the entity and the `stats` query; the
 * gateway's query plan asks the catalog for these fields of the one `Stats` entity).
 */
export const statsTypeDefs = gql`
  type Stats @key(fields: "id") {
    id: ID!
    "Jobs defined."
    jobCount: Int!
    "Pipelines defined."
    pipelineCount: Int!
    "Schedules defined, and of those the enabled ones."
    scheduleCount: Int!
    enabledScheduleCount: Int!
  }
`;

export function statsResolvers(store: StatsStore): Resolvers {
  const counts = async (ctx: SubgraphContext) => {
    requireRole(ctx.principal, 'reader', 'reading the stats');
    return store.counts();
  };
  return {
    Stats: {
      __resolveReference: async (reference: { id: string }, ctx: SubgraphContext) => {
        const found = await counts(ctx);
        return {
          id: reference.id,
          jobCount: found.jobs,
          pipelineCount: found.pipelines,
          scheduleCount: found.schedules,
          enabledScheduleCount: found.schedulesEnabled,
        };
      },
    },
  };
}
