import { z } from '../zod.js';
import { Id } from './common.js';

/* Log lines, pages and search: the logs subgraph's types, field for field. */

export const LEVELS = ['ERROR', 'WARN', 'INFO', 'DEBUG', 'NONE'] as const;
export const STREAMS = ['STDOUT', 'STDERR', 'SYSTEM'] as const;
export const ATTEMPT_STATUSES = ['SUCCESS', 'FAILED', 'CANCELLED'] as const;

const Level = z.enum(LEVELS);

export const LogLine = z
  .object({
    seq: z.number().int(),
    stream: z.string(),
    text: z.string(),
    ts: z.string(),
    attempt: z.number().int(),
    level: Level,
  })
  .openapi('LogLine');

export const LogLinePage = z
  .object({
    lines: z.array(LogLine),
    attempt: z.number().int().openapi({ description: 'The attempt these lines are of.' }),
    totalCount: z.number().int(),
    nextCursor: z.string().nullable().openapi({
      description: 'Give it as cursor to read on; set even on the last page, to follow a running job.',
    }),
    hasMore: z.boolean(),
  })
  .openapi('LogLinePage');

const where = {
  pipelineRunId: Id,
  pipelineId: Id,
  jobRunId: Id,
  jobId: Id,
  jobName: z.string(),
  attempt: z.number().int(),
  seq: z.number().int(),
  ts: z.string(),
  level: Level,
  stream: z.string(),
  text: z.string(),
};

export const LogSearchPage = z
  .object({
    hits: z.array(z.object({ ...where, before: z.array(LogLine), after: z.array(LogLine) }).openapi('LogSearchHit')),
    nextCursor: z.string().nullable(),
    hasMore: z.boolean(),
  })
  .openapi('LogSearchPage');

const Occurrence = z.object(where).openapi('LogOccurrence');

export const LogOccurrences = z
  .object({
    totalCount: z.number().int(),
    first: Occurrence.nullable(),
    last: Occurrence.nullable(),
    days: z.array(
      z.object({ day: z.string(), count: z.number().int(), jobRuns: z.number().int() }).openapi('LogOccurrenceDay'),
    ),
  })
  .openapi('LogOccurrences');
