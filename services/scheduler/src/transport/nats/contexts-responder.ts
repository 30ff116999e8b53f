import { isFluxiError, type Logger } from '@fluxi/common';
import {
  create,
  ResolveContextsRequestSchema,
  ResolveContextsResponseSchema,
  Subjects,
  type ResolveContextsResponse,
} from '@fluxi/contracts';
import { serve, type NatsConnection } from '@fluxi/messaging';
import { shortErrorMessage } from '../../domain/error-summary.js';
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
        // What is logged of a store error is its message and code, never the query's parameters.
        if (!isFluxiError(error) || error.code !== 'NOT_FOUND') throw new Error(shortErrorMessage(error));
        return create(ResolveContextsResponseSchema, {
          result: { case: 'error', value: { code: error.code, message: error.message, field: error.field ?? '' } },
        });
      }
    },
  });
}
