import { describeSchedule, nextFireTimes } from '@fluxi/schedules';
import { requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import { scheduleRule, type Schedule, type ScheduleInput, type ScheduleTarget } from '../../domain/schedule.js';
import type { JobStore } from '../../store/job-store.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import type { ScheduleStore } from '../../store/schedule-store.js';
import { jobObject, pipelineObject } from './definition-resolvers.js';

interface IdArgs {
  id: string;
}

/** Told after each committed change of a schedule (the scheduler's copy in NATS KV). */
export interface ScheduleChanges {
  changed(id: string): Promise<void>;
}

/** At most this many fire times per query. */
const MAX_NEXT = 100;

export function scheduleObject(schedule: Schedule): Record<string, unknown> {
  return {
    ...schedule,
    schedule,
    at: schedule.at?.toISOString() ?? null,
    activeSince: schedule.activeSince.toISOString(),
    createdAt: schedule.createdAt.toISOString(),
    updatedAt: schedule.updatedAt.toISOString(),
  };
}

/** Schedules (stored definitions; firing them is the scheduler's): queries need a reader, mutations a writer. */
export function scheduleResolvers(
  schedules: ScheduleStore,
  pipelines: PipelineStore,
  jobs: JobStore,
  changes: ScheduleChanges,
  now: () => Date = () => new Date(),
): Resolvers {
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
        const schedule = await schedules.create(input);
        await changes.changed(schedule.id);
        return scheduleObject(schedule);
      },
      updateSchedule: async (_: unknown, { id, input }: IdArgs & { input: ScheduleInput }, ctx: SubgraphContext) => {
        write(ctx, 'updateSchedule');
        const schedule = await schedules.update(id, input);
        await changes.changed(id);
        return scheduleObject(schedule);
      },
      deleteSchedule: async (_: unknown, { id }: IdArgs, ctx: SubgraphContext) => {
        write(ctx, 'deleteSchedule');
        await schedules.delete(id);
        await changes.changed(id);
        return true;
      },
    },
    Schedule: {
      __resolveReference: async (ref: IdArgs, ctx: SubgraphContext) => {
        read(ctx, 'reading a schedule');
        const schedule = await schedules.get(ref.id);
        return schedule === undefined ? null : scheduleObject(schedule);
      },
      pipelineId: ({ schedule }: { schedule: Schedule }) => schedule.targets[0]?.pipelineId ?? null,
      pipeline: async ({ schedule }: { schedule: Schedule }) => {
        const id = schedule.targets[0]?.pipelineId;
        return id === null || id === undefined ? null : pipelineObject(await pipelines.require(id));
      },
      description: ({ schedule }: { schedule: Schedule }) => describeSchedule(scheduleRule(schedule)),
      nextFireTimes: ({ schedule }: { schedule: Schedule }, { count }: { count?: number | null }) => {
        if (!schedule.enabled) return [];
        const n = Math.max(1, Math.min(count ?? 5, MAX_NEXT));
        const after = new Date(Math.max(now().getTime(), schedule.activeSince.getTime()));
        return nextFireTimes(scheduleRule(schedule), after, n).map((time) => time.toISOString());
      },
    },
    ScheduleTarget: {
      pipeline: async (target: ScheduleTarget) =>
        target.pipelineId === null ? null : pipelineObject(await pipelines.require(target.pipelineId)),
      job: async (target: ScheduleTarget) =>
        target.jobId === null ? null : jobObject(await jobs.require(target.jobId)),
    },
  };
}
