import { csvParam, Id, IdParams } from '../schemas/common.js';
import { ATTEMPT_STATUSES, LEVELS, LogLinePage, LogOccurrences, LogSearchPage, STREAMS } from '../schemas/logs.js';
import { csv, route, type RestRoute } from '../route.js';
import { z } from '../zod.js';

const count = (description: string) => z.coerce.number().int().optional().openapi({ type: 'integer', description });

const Filter = z.object({
  pipelineId: Id.optional(),
  pipelineRunId: Id.optional(),
  jobId: Id.optional(),
  jobName: z.string().optional(),
  jobRunId: Id.optional(),
  status: csvParam('Lines of attempts that ended so.', ATTEMPT_STATUSES),
  level: csvParam('Line levels.', LEVELS),
  stream: csvParam('Streams.', STREAMS),
  from: z.string().optional().openapi({ description: 'Lines at or after this time (ISO 8601).' }),
  to: z.string().optional().openapi({ description: 'Lines before this time (ISO 8601).' }),
});

type FilterQuery = z.output<typeof Filter>;

/** The LogSearchFilter of the query parameters (only those given). */
function filterOf(query: FilterQuery): Record<string, unknown> {
  const { status, level, stream, ...rest } = query;
  const lists = {
    status: csv(status, ATTEMPT_STATUSES, 'status'),
    levels: csv(level, LEVELS, 'level'),
    streams: csv(stream, STREAMS, 'stream'),
  };
  return Object.fromEntries(Object.entries({ ...rest, ...lists }).filter(([, value]) => value !== undefined));
}

const QUERY = z.string().openapi({
  description:
    'Words (each in the line, any case), "exact phrases" and /regular expressions/ (RE2); every term must match.',
});

export const logRoutes: RestRoute[] = [
  route({
    method: 'get',
    path: '/job-runs/{id}/logs',
    operationId: 'getJobRunLogs',
    summary: "A page of a job run's output",
    description:
      'One attempt (default: the latest), in seq order. Follow a running job by asking again with nextCursor, or use /job-runs/{id}/logs/stream. GraphQL: jobRunLogs.',
    tag: 'logs',
    role: 'reader',
    params: IdParams,
    query: z.object({
      attempt: count('The attempt (from 1); default: the cursor’s, else the latest.'),
      cursor: z.string().optional().openapi({ description: 'nextCursor of the page before.' }),
      limit: count('Lines per page.'),
      level: csvParam('Only lines of these levels.', LEVELS),
    }),
    status: 200,
    response: LogLinePage,
    handle: (gql, { params, query }) =>
      gql.call(
        'query',
        'jobRunLogs',
        { jobRunId: 'ID!', attempt: 'Int', after: 'String', first: 'Int', levels: '[LineLevel!]' },
        {
          jobRunId: params.id,
          attempt: query.attempt ?? null,
          after: query.cursor ?? null,
          first: query.limit ?? null,
          levels: csv(query.level, LEVELS, 'level') ?? null,
        },
        LogLinePage,
      ),
  }),
  route({
    method: 'get',
    path: '/logs/search',
    operationId: 'searchLogs',
    summary: 'Search the stored log lines of every run',
    description: 'Newest first unless order says otherwise; each hit with context lines. GraphQL: searchLogs.',
    tag: 'logs',
    role: 'reader',
    query: Filter.extend({
      q: QUERY.optional(),
      order: z.enum(['NEWEST_FIRST', 'OLDEST_FIRST']).optional(),
      context: count('Lines before and after each hit.'),
      limit: count('Hits per page.'),
      cursor: z.string().optional().openapi({ description: 'nextCursor of the page before (same q, filters, order).' }),
    }),
    status: 200,
    response: LogSearchPage,
    handle: (gql, { query }) => {
      const { q, order, context, limit, cursor, ...filter } = query;
      const variables = {
        query: q ?? null,
        filter: filterOf(filter),
        after: cursor ?? null,
        ...(order === undefined ? {} : { order }),
        ...(context === undefined ? {} : { context }),
        ...(limit === undefined ? {} : { first: limit }),
      };
      const args = {
        query: 'String',
        filter: 'LogSearchFilter',
        after: 'String',
        ...(order === undefined ? {} : { order: 'LogSearchOrder' }),
        ...(context === undefined ? {} : { context: 'Int' }),
        ...(limit === undefined ? {} : { first: 'Int' }),
      };
      return gql.call('query', 'searchLogs', args, variables, LogSearchPage);
    },
  }),
  route({
    method: 'get',
    path: '/logs/occurrences',
    operationId: 'logOccurrences',
    summary: 'When did this first appear? First and last matching line and a count per day',
    description: 'GraphQL: logOccurrences.',
    tag: 'logs',
    role: 'reader',
    query: Filter.extend({ q: QUERY }),
    status: 200,
    response: LogOccurrences,
    handle: (gql, { query }) => {
      const { q, ...filter } = query;
      return gql.call(
        'query',
        'logOccurrences',
        { query: 'String!', filter: 'LogSearchFilter' },
        { query: q, filter: filterOf(filter) },
        LogOccurrences,
      );
    },
  }),
];
