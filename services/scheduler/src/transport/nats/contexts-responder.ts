import { isFluxiError, type Logger } from '@fluxi/common';
import {
  create,
  ResolveContextsRequestSchema,
  ResolveContextsResponseSchema,
  Subjects,
  type ResolveContextsResponse,
} from '@fluxi/contracts';
import { serve, type NatsConnection } from '@fluxi/messaging';
import type { ContextSystem } from '../../engine/systems/contexts.js';

/** Answers executors' `$$(name)` lookups on fluxi.scheduler.contexts.resolve. Returns a stop function. */
export function serveContextResolution(nc: NatsConnection, contexts: ContextSystem, logger: Logger): () => void {
  return serve(nc, {
    subject: Subjects.contextsResolve,
    request: ResolveContextsRequestSchema,
    response: ResolveContextsResponseSchema,
    logger,
    handler: async (request): Promise<ResolveContextsResponse> => {
      try {
        const values = await contexts.resolve(request.pipelineRunId, request.names);
        return create(ResolveContextsResponseSchema, {
          result: { case: 'contexts', value: { values: Object.fromEntries(values) } },
        });
      } catch (error) {
        if (!isFluxiError(error) || error.code !== 'NOT_FOUND') throw error;
        return create(ResolveContextsResponseSchema, {
          result: { case: 'error', value: { code: error.code, message: error.message, field: error.field ?? '' } },
        });
      }
    },
  });
}
