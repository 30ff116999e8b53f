import { route, type RestRoute } from '../route.js';
import { z } from '../zod.js';

const Me = z
  .object({ userId: z.string(), userName: z.string(), role: z.enum(['admin', 'writer', 'reader']), keyId: z.string() })
  .openapi('Me');

const LogLevel = z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']);

const ImportResult = z
  .object({
    dryRun: z.boolean(),
    changes: z.array(
      z
        .object({ kind: z.string(), name: z.string(), action: z.string(), fields: z.array(z.string()) })
        .openapi('DefinitionChange'),
    ),
  })
  .openapi('ImportResult');

const Yaml = z.string().min(1).openapi({ description: 'The file, as text.' });

export const adminRoutes: RestRoute[] = [
  route({
    method: 'get',
    path: '/me',
    operationId: 'getMe',
    summary: 'Who the API key belongs to',
    description: 'GraphQL: me.',
    tag: 'access',
    role: 'reader',
    status: 200,
    response: Me,
    handle: (gql) => gql.call('query', 'me', {}, {}, Me),
  }),
  route({
    method: 'put',
    path: '/settings/log-level',
    operationId: 'setLogLevel',
    summary: 'Set the log level of every Fluxi process (admin)',
    description: 'From now on, until they restart. GraphQL: setLogLevel.',
    tag: 'settings',
    role: 'admin',
    body: z.strictObject({ level: LogLevel }).openapi('LogLevelInput'),
    example: { level: 'DEBUG' },
    status: 200,
    response: z.object({ level: LogLevel }).openapi('LogLevelSetting'),
    handle: async (gql, { body }) => ({
      level: await gql.call('mutation', 'setLogLevel', { level: 'LogLevel!' }, body),
    }),
  }),
  route({
    method: 'get',
    path: '/definitions',
    operationId: 'exportDefinitions',
    summary: 'Every job, pipeline and schedule as one fluxi.yaml',
    description: 'GraphQL: exportDefinitions.',
    tag: 'definitions',
    role: 'reader',
    status: 200,
    response: z.object({ yaml: z.string() }).openapi('DefinitionsFile'),
    handle: async (gql) => ({ yaml: await gql.call('query', 'exportDefinitions', {}, {}) }),
  }),
  route({
    method: 'get',
    path: '/definitions/schema',
    operationId: 'getDefinitionsSchema',
    summary: 'The JSON Schema of fluxi.yaml',
    description: 'GraphQL: definitionsSchema.',
    tag: 'definitions',
    role: 'reader',
    status: 200,
    response: z.record(z.string(), z.unknown()).openapi('JsonSchema'),
    handle: async (gql) => JSON.parse((await gql.call('query', 'definitionsSchema', {}, {})) as string) as unknown,
  }),
  route({
    method: 'post',
    path: '/definitions/import',
    operationId: 'importDefinitions',
    summary: "Create or update a fluxi.yaml's definitions by name",
    description: 'All or nothing; never deletes. dryRun only says what would change. GraphQL: importDefinitions.',
    tag: 'definitions',
    role: 'writer',
    body: z.strictObject({ yaml: Yaml, dryRun: z.boolean().optional() }).openapi('ImportInput'),
    example: { yaml: 'jobs:\n  build:\n    command: make\n', dryRun: true },
    status: 200,
    response: ImportResult,
    handle: (gql, { body }) =>
      gql.call(
        'mutation',
        'importDefinitions',
        { yaml: 'String!', dryRun: 'Boolean' },
        { yaml: body.yaml, dryRun: body.dryRun ?? false },
        ImportResult,
      ),
  }),
  route({
    method: 'post',
    path: '/definitions/import-gitlab',
    operationId: 'importGitlabCi',
    summary: 'Convert a .gitlab-ci.yml into jobs and a pipeline, and import them',
    description: 'GraphQL: importGitlabCi.',
    tag: 'definitions',
    role: 'writer',
    body: z
      .strictObject({ yaml: Yaml, pipelineName: z.string(), dryRun: z.boolean().optional() })
      .openapi('GitlabImportInput'),
    example: { yaml: 'build:\n  script: [make]\n', pipelineName: 'from-gitlab', dryRun: true },
    status: 200,
    response: z
      .object({ fluxiYaml: z.string(), notMapped: z.array(z.string()), result: ImportResult })
      .openapi('GitlabImportResult'),
    handle: (gql, { body }) =>
      gql.call(
        'mutation',
        'importGitlabCi',
        { yaml: 'String!', pipelineName: 'String!', dryRun: 'Boolean' },
        { ...body, dryRun: body.dryRun ?? false },
        z.object({ fluxiYaml: z.string(), notMapped: z.array(z.string()), result: ImportResult }),
      ),
  }),
];
