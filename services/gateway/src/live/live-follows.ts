import { FluxiError, type Logger } from '@fluxi/common';
import type { Principal } from '@fluxi/graphql';
import type { Nats } from '@fluxi/messaging';
import type { LiveFollows } from './live-schema.js';
import { followJobRunLogs } from './log-follow.js';
import { followPipelineRunLogs } from './pipeline-log-follow.js';
import { NatsLogSources } from './log-sources.js';
import { followPipelineRun, followPipelineRuns } from './run-follow.js';

/**
 * The follows of the live schema and the SSE routes on the real parts. A job run's log
 * follow checks the job run exists before it is handed out, so a wrong id is an error of
 * the subscription (NOT_FOUND), not of its first event. The follow starts first: its live
 * stream opens while the job run is looked up (the sources ask the scheduler once for both).
 */
export function liveFollows(nats: Nats, logsUrl: string, logger: Logger): LiveFollows {
  return {
    async jobRunLogs(principal: Principal, request) {
      const sources = new NatsLogSources(nats, logsUrl, principal, logger);
      const follow = followJobRunLogs(sources, request);
      const stop = () => void follow.return?.().catch(() => undefined);
      const jobRun = await sources.jobRun(request.jobRunId).catch((error: unknown) => {
        stop();
        throw error;
      });
      if (jobRun === undefined) {
        stop();
        throw new FluxiError('NOT_FOUND', `job run ${request.jobRunId} not found`);
      }
      return follow;
    },
    async pipelineRunLogs(principal: Principal, request) {
      const sources = new NatsLogSources(nats, logsUrl, principal, logger);
      const runEvents = await followPipelineRun(nats, logger, { pipelineRunId: request.pipelineRunId });
      return followPipelineRunLogs(request.pipelineRunId, {
        runEvents,
        jobRunLogs: (jobRunId) => followJobRunLogs(sources, { jobRunId, levels: request.levels }),
      });
    },
    pipelineRun: (request) => followPipelineRun(nats, logger, request),
    pipelineRuns: (request) => followPipelineRuns(nats, logger, request),
  };
}
