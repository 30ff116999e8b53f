import { notFound, type Logger } from '@fluxi/common';
import {
  create,
  GetJobRunRequestSchema,
  GetJobRunResponseSchema,
  Subjects,
  type GetJobRunResponse,
} from '@fluxi/contracts';
import { serve, type NatsConnection } from '@fluxi/messaging';
import type { RunStore } from '../../store/run-store.js';

/**
 * Answers fluxi.scheduler.jobrun.get: whether a job run exists and its latest attempt
 * (the logs service asks, to tell an unknown job run from one that printed nothing yet).
 * Returns a stop function.
 */
export function serveJobRunLookup(nc: NatsConnection, store: Pick<RunStore, 'jobRunRef'>, logger: Logger): () => void {
  return serve(nc, {
    subject: Subjects.jobRunGet,
    request: GetJobRunRequestSchema,
    response: GetJobRunResponseSchema,
    logger,
    handler: async (request): Promise<GetJobRunResponse> => {
      const jobRun = await store.jobRunRef(request.jobRunId);
      if (jobRun === undefined) {
        const { code, message } = notFound('job run', request.jobRunId);
        return create(GetJobRunResponseSchema, {
          result: { case: 'error', value: { code, message, field: 'jobRunId' } },
        });
      }
      return create(GetJobRunResponseSchema, {
        result: {
          case: 'jobRun',
          value: { jobRunId: jobRun.id, pipelineRunId: jobRun.pipelineRunId, attempt: jobRun.attempt },
        },
      });
    },
  });
}
