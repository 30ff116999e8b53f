import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { IdParams } from './schemas/common.js';
import { z } from './zod.js';

/*
 * The Server-Sent Events routes of live/sse.ts, described for the OpenAPI document (they are
 * served there, not by the REST router): the events are named in the description, each one's
 * data is JSON.
 */

const LEVEL = z.string().optional().openapi({
  description: 'Only lines of these levels: ERROR, WARN, INFO, DEBUG, NONE (comma-separated or repeated).',
});
const FROM_SEQ = z.coerce.number().int().min(1).optional().openapi({ type: 'integer' });
const LAST_EVENT_ID = z
  .object({
    'last-event-id': z
      .string()
      .optional()
      .openapi({ description: 'The id of the last event received: the stream goes on after it.' }),
  })
  .openapi({});

function sse(path: string, operationId: string, summary: string, description: string, query: z.ZodObject): RouteConfig {
  return {
    method: 'get',
    path,
    operationId,
    summary,
    description,
    tags: ['live'],
    'x-fluxi-role': 'reader',
    request: { params: IdParams, query, headers: LAST_EVENT_ID },
    responses: {
      '200': {
        description: 'An event stream (text/event-stream) until the end, the client leaving or the gateway stopping.',
        content: { 'text/event-stream': { schema: z.string() } },
      },
      '400': { $ref: '#/components/responses/BadRequest' },
      '401': { $ref: '#/components/responses/Unauthenticated' },
      '403': { $ref: '#/components/responses/Forbidden' },
      '404': { $ref: '#/components/responses/NotFound' },
    },
  };
}

export const sseRoutes: RouteConfig[] = [
  sse(
    '/job-runs/{id}/logs/stream',
    'streamJobRunLogs',
    "Follow a job run's output",
    '`line` events (data: a LogLine; id `<attempt>.<seq>`), then one `end` event with the final status. Reconnecting with Last-Event-ID resumes after that line, nothing twice. Role: reader.',
    z.object({
      attempt: z.coerce.number().int().min(1).optional().openapi({ type: 'integer' }),
      fromSeq: FROM_SEQ,
      level: LEVEL,
    }),
  ),
  sse(
    '/pipeline-runs/{id}/logs/stream',
    'streamPipelineRunLogs',
    "Follow every job run's output of a run, merged",
    '`line` events tagged with jobName, a `job-end` per job run, then `end`. No resume. Role: reader.',
    z.object({ level: LEVEL }),
  ),
  sse(
    '/pipeline-runs/{id}/events',
    'streamPipelineRunEvents',
    "Follow a run's events",
    '`run-event` events (id: the event’s seq) until the run ended. Last-Event-ID or fromSeq resumes. Role: reader.',
    z.object({ fromSeq: FROM_SEQ }),
  ),
];
