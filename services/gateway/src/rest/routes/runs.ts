import { Id, IdParams, pageOf, PageQuery } from '../schemas/common.js';
import {
  Artifact,
  CancelInput,
  Context,
  Executor,
  JobRun,
  PipelineRun,
  RerunInput,
  WebhookDelivery,
} from '../schemas/runs.js';
import { encodeCursor, decodeCursor, found, fromConnection, route, type RestRoute } from '../route.js';
import { selectionOf } from '../selection.js';
import { z } from '../zod.js';

/** The scheduler keeps at most this many runs per list answer. */
const MAX_RUNS = 100;

const PipelineRunPage = pageOf(PipelineRun, 'PipelineRunPage');
const NameParams = z.object({
  name: z.string().min(1).openapi({ description: 'Context id (CJ…, CP…), job name or pipeline name.' }),
});

export const runRoutes: RestRoute[] = [
  route({
    method: 'get',
    path: '/pipeline-runs',
    operationId: 'listPipelineRuns',
    summary: 'List the runs of a pipeline',
    description: `Newest first, the newest ${MAX_RUNS} at most. GraphQL: pipelineRuns(pipelineId, limit).`,
    tag: 'runs',
    role: 'reader',
    query: PageQuery.extend({ pipelineId: Id.openapi({ description: 'The pipeline.' }) }),
    status: 200,
    response: PipelineRunPage,
    handle: async (gql, { query }) => {
      const offset = decodeCursor(query.cursor);
      const end = offset + (query.limit ?? 20);
      const runs = (await gql.call(
        'query',
        'pipelineRuns',
        { pipelineId: 'ID!', limit: 'Int' },
        { pipelineId: query.pipelineId, limit: Math.min(MAX_RUNS, end + 1) },
        PipelineRun,
      )) as unknown[];
      return {
        items: runs.slice(offset, end),
        nextCursor: runs.length > end && end < MAX_RUNS ? encodeCursor(end) : null,
      };
    },
  }),
  route({
    method: 'get',
    path: '/pipeline-runs/{id}',
    operationId: 'getPipelineRun',
    summary: 'Get a run with its stages and job runs',
    description: 'GraphQL: pipelineRun(id).',
    tag: 'runs',
    role: 'reader',
    params: IdParams,
    status: 200,
    response: PipelineRun,
    handle: async (gql, { params }) =>
      found(await gql.call('query', 'pipelineRun', { id: 'ID!' }, params, PipelineRun), 'pipeline run', params.id),
  }),
  route({
    method: 'post',
    path: '/pipeline-runs/{id}/cancel',
    operationId: 'cancelPipelineRun',
    summary: 'Cancel a run',
    description: 'Queued job runs leave the queue, running ones are killed. GraphQL: cancelPipelineRun.',
    tag: 'runs',
    role: 'writer',
    params: IdParams,
    body: CancelInput,
    bodyOptional: true,
    example: { reason: 'superseded' },
    status: 200,
    response: PipelineRun,
    handle: (gql, { params, body }) =>
      gql.call(
        'mutation',
        'cancelPipelineRun',
        { id: 'ID!', reason: 'String' },
        { id: params.id, reason: body.reason ?? null },
        PipelineRun,
      ),
  }),
  route({
    method: 'post',
    path: '/pipeline-runs/{id}/rerun',
    operationId: 'rerunPipelineRun',
    summary: 'Run the same frozen definition again',
    description: 'failedOnly keeps the successful job runs. GraphQL: rerunPipelineRun.',
    tag: 'runs',
    role: 'writer',
    params: IdParams,
    body: RerunInput,
    bodyOptional: true,
    example: { failedOnly: true },
    status: 201,
    response: PipelineRun,
    handle: (gql, { params, body }) =>
      gql.call(
        'mutation',
        'rerunPipelineRun',
        { id: 'ID!', failedOnly: 'Boolean' },
        { id: params.id, failedOnly: body.failedOnly ?? false },
        PipelineRun,
      ),
  }),
  route({
    method: 'get',
    path: '/job-runs/{id}',
    operationId: 'getJobRun',
    summary: 'Get a job run with its attempts and artifacts',
    description: 'GraphQL: jobRun(id).',
    tag: 'runs',
    role: 'reader',
    params: IdParams,
    status: 200,
    response: JobRun,
    handle: async (gql, { params }) =>
      found(await gql.call('query', 'jobRun', { id: 'ID!' }, params, JobRun), 'job run', params.id),
  }),
  route({
    method: 'post',
    path: '/job-runs/{id}/cancel',
    operationId: 'cancelJobRun',
    summary: 'Cancel a job run',
    description: 'GraphQL: cancelJobRun.',
    tag: 'runs',
    role: 'writer',
    params: IdParams,
    body: CancelInput,
    bodyOptional: true,
    example: { reason: 'stuck' },
    status: 200,
    response: JobRun,
    handle: (gql, { params, body }) =>
      gql.call(
        'mutation',
        'cancelJobRun',
        { id: 'ID!', reason: 'String' },
        { id: params.id, reason: body.reason ?? null },
        JobRun,
      ),
  }),
  route({
    method: 'post',
    path: '/job-runs/{id}/play',
    operationId: 'playJobRun',
    summary: 'Play a manual job run',
    description:
      'Starts a MANUAL job run (GitLab when: manual); a run that had ended opens again until it is over. GraphQL: playJobRun.',
    tag: 'runs',
    role: 'writer',
    params: IdParams,
    status: 200,
    response: JobRun,
    handle: (gql, { params }) => gql.call('mutation', 'playJobRun', { id: 'ID!' }, { id: params.id }, JobRun),
  }),
  route({
    method: 'get',
    path: '/job-runs/{id}/artifacts',
    operationId: 'listArtifacts',
    summary: "A job run's artifacts, with their download links",
    description: 'GET downloadPath from the gateway with the same API key. GraphQL: jobRun(id).artifacts.',
    tag: 'artifacts',
    role: 'reader',
    params: IdParams,
    status: 200,
    response: z.object({ items: z.array(Artifact) }).openapi('ArtifactList'),
    handle: async (gql, { params }) => {
      const select = z.object({ artifacts: z.array(Artifact) });
      const run = found(
        (await gql.call('query', 'jobRun', { id: 'ID!' }, params, select)) as { artifacts: unknown[] } | null,
        'job run',
        params.id,
      );
      return { items: run.artifacts };
    },
  }),
  route({
    method: 'get',
    path: '/contexts',
    operationId: 'listContexts',
    summary: 'List contexts (the latest output of each job and pipeline)',
    description: 'GraphQL: contexts.',
    tag: 'contexts',
    role: 'reader',
    status: 200,
    response: z.object({ items: z.array(Context) }).openapi('ContextList'),
    handle: async (gql) => ({ items: await gql.call('query', 'contexts', {}, {}, Context) }),
  }),
  route({
    method: 'get',
    path: '/contexts/{name}',
    operationId: 'getContext',
    summary: 'Get a context',
    description: 'GraphQL: context(name).',
    tag: 'contexts',
    role: 'reader',
    params: NameParams,
    status: 200,
    response: Context,
    handle: async (gql, { params }) =>
      found(await gql.call('query', 'context', { name: 'String!' }, params, Context), 'context', params.name),
  }),
  route({
    method: 'post',
    path: '/contexts/{name}/reset',
    operationId: 'resetContext',
    summary: 'Empty a context',
    description: 'As before its first run. GraphQL: resetContext.',
    tag: 'contexts',
    role: 'writer',
    params: NameParams,
    status: 200,
    response: Context,
    handle: (gql, { params }) => gql.call('mutation', 'resetContext', { name: 'String!' }, params, Context),
  }),
  route({
    method: 'get',
    path: '/executors',
    operationId: 'listExecutors',
    summary: 'List executors',
    description: 'Running ones and, for 10 minutes, lost ones. GraphQL: executors.',
    tag: 'executors',
    role: 'reader',
    status: 200,
    response: z.object({ items: z.array(Executor) }).openapi('ExecutorList'),
    handle: async (gql) => ({ items: await gql.call('query', 'executors', {}, {}, Executor) }),
  }),
  ...(['drain', 'resume'] as const).map((verb) =>
    route({
      method: 'post',
      path: `/executors/{id}/${verb}`,
      operationId: `${verb}Executor`,
      summary: verb === 'drain' ? 'Drain an executor' : 'Let a drained executor take work again',
      description: `Admin. GraphQL: ${verb}Executor.`,
      tag: 'executors',
      role: 'admin',
      params: IdParams,
      status: 200,
      response: Executor,
      handle: (gql, { params }) => gql.call('mutation', `${verb}Executor`, { id: 'ID!' }, params, Executor),
    }),
  ),
  route({
    method: 'get',
    path: '/webhook-deliveries',
    operationId: 'listWebhookDeliveries',
    summary: 'List received git webhook deliveries',
    description: 'Newest first. GraphQL: webhookDeliveries.',
    tag: 'webhooks',
    role: 'reader',
    query: PageQuery.extend({ pipelineId: Id.optional() }),
    status: 200,
    response: pageOf(WebhookDelivery, 'WebhookDeliveryPage'),
    handle: async (gql, { query }) => {
      const select = `{ nodes ${selectionOf(WebhookDelivery)} endCursor hasNextPage }`;
      const page = await gql.call(
        'query',
        'webhookDeliveries',
        { pipelineId: 'ID', first: 'Int', after: 'String' },
        { pipelineId: query.pipelineId ?? null, first: query.limit ?? 20, after: query.cursor ?? null },
        select,
      );
      return fromConnection(page as { nodes: unknown[]; endCursor: string | null; hasNextPage: boolean });
    },
  }),
];
