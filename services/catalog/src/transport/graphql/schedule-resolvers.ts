import { requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import type { Schedule, ScheduleInput } from '../../domain/schedule.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import type { ScheduleStore } from '../../store/schedule-store.js';
import { pipelineObject } from './definition-resolvers.js';

interface IdArgs {
  id: string;
}

function scheduleObject(schedule: Schedule): Record<string, unknown> {
  return {
    ...schedule,
    at: schedule.at?.toISOString() ?? null,
    createdAt: schedule.createdAt.toISOString(),
    updatedAt: schedule.updatedAt.toISOString(),
  };
}

/** Schedules (stored definitions; firing them is the scheduler's): queries need a reader, mutations a writer. */
export function scheduleResolvers(schedules: ScheduleStore, pipelines: PipelineStore): Resolvers {
  const read = (ctx: SubgraphContext, what: string) => requireRole(ctx.principal, 'reader', what);
  const write = (ctx: SubgraphContext, what: string) => requireRole(ctx.principal, 'writer', what);
  return {
    Query: {
      schedules: async (_: unknown, __: unknown, ctx: SubgraphContext) => {
        read(ctx, 'listing schedules');
        return (await schedules.list()).map(scheduleObject);
      },
      schedule: async (_: unknown, { id }: IdArgs, ctx: SubgraphContext) => {
        read(ctx, 'reading a schedule');
        return scheduleObject(await schedules.require(id));
      },
    },
    Mutation: {
      createSchedule: async (_: unknown, { input }: { input: ScheduleInput }, ctx: SubgraphContext) => {
        write(ctx, 'createSchedule');
        return scheduleObject(await schedules.create(input));
      },
      updateSchedule: async (_: unknown, { id, input }: IdArgs & { input: ScheduleInput }, ctx: SubgraphContext) => {
        write(ctx, 'updateSchedule');
        return scheduleObject(await schedules.update(id, input));
      },
      deleteSchedule: async (_: unknown, { id }: IdArgs, ctx: SubgraphContext) => {
        write(ctx, 'deleteSchedule');
        await schedules.delete(id);
        return true;
      },
    },
    Schedule: {
      __resolveReference: async (ref: IdArgs, ctx: SubgraphContext) => {
        read(ctx, 'reading a schedule');
        const schedule = await schedules.get(ref.id);
        return schedule === undefined ? null : scheduleObject(schedule);
      },
      pipeline: async (schedule: { pipelineId: string }) =>
        pipelineObject(await pipelines.require(schedule.pipelineId)),
    },
  };
}
