import { CopyInput, Schedule, ScheduleInput, SchedulePatch } from '../schemas/catalog.js';
import { IdParams, pageOf, PageQuery } from '../schemas/common.js';
import { ScheduleFire } from '../schemas/runs.js';
import { fromConnection, found, paginate, route, type RestRoute } from '../route.js';
import { selectionOf } from '../selection.js';
import { replacing } from './jobs.js';

const SchedulePage = pageOf(Schedule, 'SchedulePage');
const ScheduleFirePage = pageOf(ScheduleFire, 'ScheduleFirePage');
const UPDATE = { id: 'ID!', input: 'UpdateScheduleInput!' };

/** A PUT's update: null for every field left out, but targets and pipelineId replace each other. */
function replacement(body: Record<string, unknown>): Record<string, unknown> {
  const fields = Object.keys(SchedulePatch.shape).filter((field) => field !== 'pipelineId' && field !== 'targets');
  return replacing(body, fields);
}

export const scheduleRoutes: RestRoute[] = [
  route({
    method: 'get',
    path: '/schedules',
    operationId: 'listSchedules',
    summary: 'List schedules',
    description: 'By name. GraphQL: schedules.',
    tag: 'schedules',
    role: 'reader',
    query: PageQuery,
    status: 200,
    response: SchedulePage,
    handle: async (gql, { query }) =>
      paginate((await gql.call('query', 'schedules', {}, {}, Schedule)) as unknown[], query),
  }),
  route({
    method: 'post',
    path: '/schedules',
    operationId: 'createSchedule',
    summary: 'Create a schedule',
    description: 'GraphQL: createSchedule.',
    tag: 'schedules',
    role: 'writer',
    body: ScheduleInput,
    example: {
      name: 'nightly',
      targets: [{ pipelineId: 'P01JCFXAMPLE00000000000000' }],
      cron: '30 2 * * 1-5',
      timezone: 'Europe/Paris',
    },
    status: 201,
    response: Schedule,
    handle: (gql, { body }) =>
      gql.call('mutation', 'createSchedule', { input: 'CreateScheduleInput!' }, { input: body }, Schedule),
  }),
  route({
    method: 'get',
    path: '/schedules/{id}',
    operationId: 'getSchedule',
    summary: 'Get a schedule',
    description: 'GraphQL: schedule(id).',
    tag: 'schedules',
    role: 'reader',
    params: IdParams,
    status: 200,
    response: Schedule,
    handle: async (gql, { params }) =>
      found(await gql.call('query', 'schedule', { id: 'ID!' }, params, Schedule), 'schedule', params.id),
  }),
  route({
    method: 'put',
    path: '/schedules/{id}',
    operationId: 'replaceSchedule',
    summary: 'Replace a schedule',
    description: 'Fields left out get their defaults. GraphQL: updateSchedule with every field.',
    tag: 'schedules',
    role: 'writer',
    params: IdParams,
    body: ScheduleInput,
    example: {
      name: 'nightly',
      targets: [{ pipelineId: 'P01JCFXAMPLE00000000000000' }],
      cron: '30 2 * * 1-5',
      timezone: 'Europe/Paris',
    },
    status: 200,
    response: Schedule,
    handle: (gql, { params, body }) =>
      gql.call('mutation', 'updateSchedule', UPDATE, { id: params.id, input: replacement(body) }, Schedule),
  }),
  route({
    method: 'patch',
    path: '/schedules/{id}',
    operationId: 'updateSchedule',
    summary: 'Change some fields of a schedule (enable, disable)',
    description: '{"enabled": false} disables it, {"enabled": true} enables it again. GraphQL: updateSchedule.',
    tag: 'schedules',
    role: 'writer',
    params: IdParams,
    body: SchedulePatch,
    example: { enabled: false },
    status: 200,
    response: Schedule,
    handle: (gql, { params, body }) =>
      gql.call('mutation', 'updateSchedule', UPDATE, { id: params.id, input: body }, Schedule),
  }),
  route({
    method: 'delete',
    path: '/schedules/{id}',
    operationId: 'deleteSchedule',
    summary: 'Delete a schedule',
    description: 'GraphQL: deleteSchedule.',
    tag: 'schedules',
    role: 'writer',
    params: IdParams,
    status: 204,
    handle: (gql, { params }) => gql.call('mutation', 'deleteSchedule', { id: 'ID!' }, params),
  }),
  route({
    method: 'post',
    path: '/schedules/{id}/copy',
    operationId: 'copySchedule',
    summary: 'Copy a schedule',
    description:
      'A new schedule with the same timing, targets and policies. The copy starts disabled: enable it with PATCH {"enabled": true}. GraphQL: copySchedule.',
    tag: 'schedules',
    role: 'writer',
    params: IdParams,
    body: CopyInput,
    bodyOptional: true,
    example: { name: 'nightly-2' },
    status: 201,
    response: Schedule,
    handle: (gql, { params, body }) =>
      gql.call(
        'mutation',
        'copySchedule',
        { id: 'ID!', name: 'String' },
        { id: params.id, name: body.name ?? null },
        Schedule,
      ),
  }),
  route({
    method: 'get',
    path: '/schedules/{id}/history',
    operationId: 'getScheduleHistory',
    summary: "A schedule's fires",
    description: 'Newest planned time first. GraphQL: schedule(id).history.',
    tag: 'schedules',
    role: 'reader',
    params: IdParams,
    query: PageQuery,
    status: 200,
    response: ScheduleFirePage,
    handle: async (gql, { params, query }) => {
      const select = `{ history(first: $first, after: $after) { nodes ${selectionOf(ScheduleFire)} endCursor hasNextPage } }`;
      const variables = { id: params.id, first: query.limit ?? 20, after: query.cursor ?? null };
      const schedule = found(
        (await gql.call('query', 'schedule', { id: 'ID!', $first: 'Int', $after: 'String' }, variables, select)) as {
          history: { nodes: unknown[]; endCursor: string | null; hasNextPage: boolean };
        } | null,
        'schedule',
        params.id,
      );
      return fromConnection(schedule.history);
    },
  }),
];
