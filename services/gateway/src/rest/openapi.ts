import { OpenApiGeneratorV31, OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { Problem } from './schemas/common.js';
import { LogLine } from './schemas/logs.js';
import type { RestRoute } from './route.js';
import { restRoutes } from './routes/index.js';
import { authRoutes } from './auth-doc.js';
import { sseRoutes } from './sse-doc.js';
import type { z } from './zod.js';

/** Where the committed document lives, from the repository root (scripts/openapi.mjs writes it). */
export const OPENAPI_FILE = 'docs/openapi.json';

const PROBLEM = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

const ERRORS: Record<string, { status: string; description: string }> = {
  BadRequest: { status: '400', description: 'The request is not valid: see field.' },
  Unauthenticated: { status: '401', description: 'No API key, or one that is unknown, revoked or expired.' },
  Forbidden: { status: '403', description: 'The key’s role may not do this (readers may not write).' },
  NotFound: { status: '404', description: 'No such resource.' },
  Conflict: { status: '409', description: 'The change conflicts with what is stored (a name taken, a job in use).' },
  Internal: { status: '500', description: 'An internal error; errorId names it in the server’s log.' },
  Unavailable: { status: '503', description: 'A part of Fluxi cannot be reached now; try again.' },
};

const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });

/** The error answers an operation may give. */
function errorResponses(route: RestRoute): Record<string, { $ref: string }> {
  const names = ['BadRequest', 'Unauthenticated', 'Forbidden'];
  if (route.path.includes('{')) names.push('NotFound');
  if (route.method !== 'get') names.push('Conflict');
  names.push('Internal', 'Unavailable');
  return Object.fromEntries(names.map((name) => [ERRORS[name]?.status as string, ref(name)]));
}

function routeConfig(route: RestRoute): RouteConfig {
  const success =
    route.status === 204
      ? { description: 'Done.' }
      : {
          description: route.status === 201 ? 'Created.' : 'OK.',
          ...(route.response === undefined ? {} : { content: { 'application/json': { schema: route.response } } }),
        };
  return {
    method: route.method,
    path: route.path,
    operationId: route.operationId,
    summary: route.summary,
    description: `${route.description ?? ''}${route.description === undefined ? '' : ' '}Role: ${route.role}.`,
    tags: [route.tag],
    'x-fluxi-role': route.role,
    request: {
      ...(route.params === undefined ? {} : { params: route.params as z.ZodObject }),
      ...(route.query === undefined ? {} : { query: route.query as z.ZodObject }),
      ...(route.body === undefined
        ? {}
        : {
            body: {
              required: route.bodyOptional !== true,
              content: {
                'application/json': {
                  schema: route.body,
                  ...(route.example === undefined ? {} : { example: route.example }),
                },
              },
            },
          }),
    },
    responses: { [String(route.status)]: success, ...errorResponses(route) },
  };
}

const TAGS: Array<{ name: string; description: string }> = [
  { name: 'jobs', description: 'Job definitions: create, change, copy, run.' },
  { name: 'pipelines', description: 'Pipeline definitions: stages of jobs; create, change, copy, run.' },
  { name: 'schedules', description: 'Cron and one-shot schedules starting pipelines and jobs.' },
  { name: 'runs', description: 'Pipeline runs and job runs: read, cancel, rerun.' },
  { name: 'logs', description: 'Job output: pages, search, occurrences.' },
  { name: 'live', description: 'Server-Sent Events: logs and run events as they happen.' },
  { name: 'artifacts', description: 'Files saved by jobs.' },
  { name: 'contexts', description: 'The latest output of each job and pipeline ($$(name)).' },
  { name: 'executors', description: 'The processes running jobs.' },
  { name: 'webhooks', description: 'Git webhook deliveries received.' },
  { name: 'notifications', description: 'Outgoing webhooks: subscriptions to run events, their signed deliveries.' },
  { name: 'stats', description: 'Counts of runs, queues, executors and definitions (dashboards, the CLI).' },
  { name: 'definitions', description: 'Pipelines as code: fluxi.yaml export and import.' },
  { name: 'auth', description: 'Login sessions for people (machines use API keys).' },
  { name: 'access', description: 'Users and API keys; who is calling.' },
  { name: 'secrets', description: 'Secrets for jobs, never returned once set.' },
  { name: 'audit', description: 'Who did what, when.' },
  { name: 'settings', description: 'Installation settings.' },
];

/** The OpenAPI 3.1 document of /api/v1, generated from the routes' zod schemas. */
export function openApiDocument(): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registry.register('Problem', Problem);
  registry.register('LogLine', LogLine);
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: Authorization: Bearer fluxi_<keyId>_<secret>.',
  });
  for (const [name, { description }] of Object.entries(ERRORS)) {
    registry.registerComponent('responses', name, { description, content: PROBLEM });
  }
  for (const route of restRoutes) registry.registerPath(routeConfig(route));
  for (const route of sseRoutes) registry.registerPath(route);
  for (const route of authRoutes) registry.registerPath(route);
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Fluxi REST API',
      version: 'v1',
      description:
        'Jobs, pipelines, schedules, runs, logs, contexts and artifacts. Every operation runs the GraphQL operation its ' +
        'description names, with the same validation and roles (admin, writer, reader). Errors are ' +
        'application/problem+json (RFC 9457) with code and, for bad input, field. Lists page with limit and cursor.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Fluxi' },
    },
    servers: [{ url: '/api/v1', description: 'This Fluxi gateway.' }],
    security: [{ apiKey: [] }],
    tags: TAGS,
  });
  return document as unknown as Record<string, unknown>;
}
