import { CopyInput, Job, JobInput, JobPatch } from '../schemas/catalog.js';
import { IdParams, pageOf, PageQuery } from '../schemas/common.js';
import { PipelineRun, TriggerInput } from '../schemas/runs.js';
import { found, paginate, route, type RestRoute } from '../route.js';

const JobPage = pageOf(Job, 'JobPage');

/** Every field of a job's update set: a PUT sends null for those left out, so they get their defaults. */
export function replacing(body: object, fields: readonly string[]): Record<string, unknown> {
  return { ...Object.fromEntries(fields.map((field) => [field, null])), ...body };
}

export const jobRoutes: RestRoute[] = [
  route({
    method: 'get',
    path: '/jobs',
    operationId: 'listJobs',
    summary: 'List jobs',
    description: 'By name. GraphQL: jobs.',
    tag: 'jobs',
    role: 'reader',
    query: PageQuery,
    status: 200,
    response: JobPage,
    handle: async (gql, { query }) => paginate((await gql.call('query', 'jobs', {}, {}, Job)) as unknown[], query),
  }),
  route({
    method: 'post',
    path: '/jobs',
    operationId: 'createJob',
    summary: 'Create a job',
    description: 'GraphQL: createJob.',
    tag: 'jobs',
    role: 'writer',
    body: JobInput,
    example: { name: 'build', command: 'make test', timeoutSec: 600, env: [{ name: 'CI', value: 'true' }] },
    status: 201,
    response: Job,
    handle: (gql, { body }) => gql.call('mutation', 'createJob', { input: 'CreateJobInput!' }, { input: body }, Job),
  }),
  route({
    method: 'get',
    path: '/jobs/{id}',
    operationId: 'getJob',
    summary: 'Get a job',
    description: 'GraphQL: job(id).',
    tag: 'jobs',
    role: 'reader',
    params: IdParams,
    status: 200,
    response: Job,
    handle: async (gql, { params }) =>
      found(await gql.call('query', 'job', { id: 'ID!' }, params, Job), 'job', params.id),
  }),
  route({
    method: 'put',
    path: '/jobs/{id}',
    operationId: 'replaceJob',
    summary: 'Replace a job',
    description: 'Fields left out get their defaults. GraphQL: updateJob with every field.',
    tag: 'jobs',
    role: 'writer',
    params: IdParams,
    body: JobInput,
    example: { name: 'build', command: 'make test', timeoutSec: 600, env: [{ name: 'CI', value: 'true' }] },
    status: 200,
    response: Job,
    handle: (gql, { params, body }) =>
      gql.call(
        'mutation',
        'updateJob',
        { id: 'ID!', input: 'UpdateJobInput!' },
        { id: params.id, input: replacing(body, Object.keys(JobPatch.shape)) },
        Job,
      ),
  }),
  route({
    method: 'patch',
    path: '/jobs/{id}',
    operationId: 'updateJob',
    summary: 'Change some fields of a job',
    description: 'GraphQL: updateJob.',
    tag: 'jobs',
    role: 'writer',
    params: IdParams,
    body: JobPatch,
    example: { command: 'make check', timeoutSec: null },
    status: 200,
    response: Job,
    handle: (gql, { params, body }) =>
      gql.call('mutation', 'updateJob', { id: 'ID!', input: 'UpdateJobInput!' }, { id: params.id, input: body }, Job),
  }),
  route({
    method: 'delete',
    path: '/jobs/{id}',
    operationId: 'deleteJob',
    summary: 'Delete a job',
    description: 'Refused (409) while a pipeline or a schedule uses it. GraphQL: deleteJob.',
    tag: 'jobs',
    role: 'writer',
    params: IdParams,
    status: 204,
    handle: (gql, { params }) => gql.call('mutation', 'deleteJob', { id: 'ID!' }, params),
  }),
  route({
    method: 'post',
    path: '/jobs/{id}/copy',
    operationId: 'copyJob',
    summary: 'Copy a job',
    description: 'A new job with the same definition, named name or <name>-copy, <name>-copy-2… GraphQL: copyJob.',
    tag: 'jobs',
    role: 'writer',
    params: IdParams,
    body: CopyInput,
    bodyOptional: true,
    example: { name: 'build-2' },
    status: 201,
    response: Job,
    handle: (gql, { params, body }) =>
      gql.call('mutation', 'copyJob', { id: 'ID!', name: 'String' }, { id: params.id, name: body.name ?? null }, Job),
  }),
  route({
    method: 'post',
    path: '/jobs/{id}/run',
    operationId: 'runJob',
    summary: 'Run a job on its own',
    description: 'Starts a run of the single job (trigger API). GraphQL: triggerJob.',
    tag: 'jobs',
    role: 'writer',
    params: IdParams,
    body: TriggerInput,
    bodyOptional: true,
    example: { branch: 'main', idempotencyKey: 'deploy-42' },
    status: 201,
    response: PipelineRun,
    handle: (gql, { params, body }) =>
      gql.call(
        'mutation',
        'triggerJob',
        { id: 'ID!', options: 'TriggerOptions' },
        { id: params.id, options: { ...body, trigger: 'API' } },
        PipelineRun,
      ),
  }),
];
