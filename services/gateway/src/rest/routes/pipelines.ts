import { CopyInput, Pipeline, PipelineInput, PipelinePatch } from '../schemas/catalog.js';
import { IdParams, pageOf, PageQuery } from '../schemas/common.js';
import { PipelineRun, TriggerInput } from '../schemas/runs.js';
import { found, paginate, route, type RestRoute } from '../route.js';
import { z } from '../zod.js';

const PipelinePage = pageOf(Pipeline, 'PipelinePage');
type StoredPipeline = z.output<typeof Pipeline>;

/** The PipelineInput that stores `pipeline` again as it is (its webhook secret is kept by leaving it out). */
export function inputOf(pipeline: StoredPipeline): Record<string, unknown> {
  return {
    name: pipeline.name,
    description: pipeline.description,
    stages: pipeline.stages,
    timeoutSec: pipeline.timeoutSec,
    concurrency: pipeline.concurrency,
    retention: pipeline.retention,
    git:
      pipeline.git === null
        ? null
        : {
            repository: pipeline.git.repository,
            branches: pipeline.git.branches,
            tags: pipeline.git.tags,
            events: pipeline.git.events,
          },
  };
}

const UPDATE = { id: 'ID!', input: 'PipelineInput!' };
const PIPELINE_EXAMPLE = {
  name: 'ci',
  stages: [
    { name: 'build', entries: [{ jobId: 'J01JCFXAMPLE00000000000000' }] },
    { name: 'test', entries: [{ jobId: 'J01JCFXAMPLE00000000000001', name: 'unit' }] },
  ],
  timeoutSec: 3600,
};

export const pipelineRoutes: RestRoute[] = [
  route({
    method: 'get',
    path: '/pipelines',
    operationId: 'listPipelines',
    summary: 'List pipelines',
    description: 'By name. GraphQL: pipelines.',
    tag: 'pipelines',
    role: 'reader',
    query: PageQuery,
    status: 200,
    response: PipelinePage,
    handle: async (gql, { query }) =>
      paginate((await gql.call('query', 'pipelines', {}, {}, Pipeline)) as unknown[], query),
  }),
  route({
    method: 'post',
    path: '/pipelines',
    operationId: 'createPipeline',
    summary: 'Create a pipeline',
    description: 'GraphQL: createPipeline.',
    tag: 'pipelines',
    role: 'writer',
    body: PipelineInput,
    example: PIPELINE_EXAMPLE,
    status: 201,
    response: Pipeline,
    handle: (gql, { body }) =>
      gql.call('mutation', 'createPipeline', { input: 'PipelineInput!' }, { input: body }, Pipeline),
  }),
  route({
    method: 'get',
    path: '/pipelines/{id}',
    operationId: 'getPipeline',
    summary: 'Get a pipeline',
    description: 'GraphQL: pipeline(id).',
    tag: 'pipelines',
    role: 'reader',
    params: IdParams,
    status: 200,
    response: Pipeline,
    handle: async (gql, { params }) =>
      found(await gql.call('query', 'pipeline', { id: 'ID!' }, params, Pipeline), 'pipeline', params.id),
  }),
  route({
    method: 'put',
    path: '/pipelines/{id}',
    operationId: 'replacePipeline',
    summary: 'Replace a pipeline',
    description: 'The whole definition. GraphQL: updatePipeline.',
    tag: 'pipelines',
    role: 'writer',
    params: IdParams,
    body: PipelineInput,
    example: PIPELINE_EXAMPLE,
    status: 200,
    response: Pipeline,
    handle: (gql, { params, body }) =>
      gql.call('mutation', 'updatePipeline', UPDATE, { id: params.id, input: body }, Pipeline),
  }),
  route({
    method: 'patch',
    path: '/pipelines/{id}',
    operationId: 'updatePipeline',
    summary: 'Change some fields of a pipeline',
    description:
      'Reads the pipeline (GraphQL: pipeline), replaces the top-level fields given, and stores the result (updatePipeline).',
    tag: 'pipelines',
    role: 'writer',
    params: IdParams,
    body: PipelinePatch,
    example: { description: 'Build and test on every push', timeoutSec: 3600 },
    status: 200,
    response: Pipeline,
    handle: async (gql, { params, body }) => {
      const current = found(
        (await gql.call('query', 'pipeline', { id: 'ID!' }, params, Pipeline)) as StoredPipeline | null,
        'pipeline',
        params.id,
      );
      return gql.call(
        'mutation',
        'updatePipeline',
        UPDATE,
        { id: params.id, input: { ...inputOf(current), ...body } },
        Pipeline,
      );
    },
  }),
  route({
    method: 'delete',
    path: '/pipelines/{id}',
    operationId: 'deletePipeline',
    summary: 'Delete a pipeline',
    description: 'Refused (409) while schedules start it. GraphQL: deletePipeline.',
    tag: 'pipelines',
    role: 'writer',
    params: IdParams,
    status: 204,
    handle: (gql, { params }) => gql.call('mutation', 'deletePipeline', { id: 'ID!' }, params),
  }),
  route({
    method: 'post',
    path: '/pipelines/{id}/copy',
    operationId: 'copyPipeline',
    summary: 'Copy a pipeline',
    description:
      'A new pipeline with the same stages (the same jobs) and settings; its git source comes without the webhook secret. GraphQL: copyPipeline.',
    tag: 'pipelines',
    role: 'writer',
    params: IdParams,
    body: CopyInput,
    bodyOptional: true,
    example: { name: 'ci-2' },
    status: 201,
    response: Pipeline,
    handle: (gql, { params, body }) =>
      gql.call(
        'mutation',
        'copyPipeline',
        { id: 'ID!', name: 'String' },
        { id: params.id, name: body.name ?? null },
        Pipeline,
      ),
  }),
  route({
    method: 'post',
    path: '/pipelines/{id}/run',
    operationId: 'runPipeline',
    summary: 'Run a pipeline',
    description: 'Starts a run (trigger API). GraphQL: triggerPipeline.',
    tag: 'pipelines',
    role: 'writer',
    params: IdParams,
    body: TriggerInput,
    bodyOptional: true,
    example: { branch: 'main', variables: [{ name: 'DEPLOY_ENV', value: 'staging' }] },
    status: 201,
    response: PipelineRun,
    handle: (gql, { params, body }) =>
      gql.call(
        'mutation',
        'triggerPipeline',
        { id: 'ID!', options: 'TriggerOptions' },
        { id: params.id, options: { ...body, trigger: 'API' } },
        PipelineRun,
      ),
  }),
  route({
    method: 'put',
    path: '/pipelines/{id}/webhook-secret',
    operationId: 'setPipelineWebhookSecret',
    summary: "Set or clear a pipeline's webhook secret",
    description: 'Stored encrypted, never returned. GraphQL: setPipelineWebhookSecret.',
    tag: 'pipelines',
    role: 'writer',
    params: IdParams,
    body: z
      .strictObject({
        secret: z.string().nullable().openapi({ description: '16 to 1024 characters; null clears it.' }),
      })
      .openapi('WebhookSecretInput'),
    example: { secret: 'a-long-random-webhook-secret' },
    status: 200,
    response: Pipeline,
    handle: (gql, { params, body }) =>
      gql.call(
        'mutation',
        'setPipelineWebhookSecret',
        { pipelineId: 'ID!', secret: 'String' },
        { pipelineId: params.id, secret: body.secret },
        Pipeline,
      ),
  }),
];
