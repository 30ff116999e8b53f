/**
 * NATS names shared by every service: JetStream streams, their subjects, and the
 * request/reply subjects. The payload of each is a message from proto/.
 */
export const Streams = {
  /** Job run lifecycle events (JobRunEvent). */
  events: { name: 'FLUXI_EVENTS', subjects: ['fluxi.events.>'] },
  /** Job output (LogChunk). */
  logs: { name: 'FLUXI_LOGS', subjects: ['fluxi.logs.>'] },
} as const;

export const Subjects = {
  jobRunEvent: (jobRunId: string): string => `fluxi.events.jobrun.${jobRunId}`,
  logChunk: (pipelineRunId: string, jobRunId: string): string => `fluxi.logs.${pipelineRunId}.${jobRunId}`,
  /** Request GetPipelineSnapshotRequest → GetPipelineSnapshotResponse. */
  pipelineSnapshot: 'fluxi.catalog.pipeline.snapshot',
  /** Request GetJobRequest → GetJobResponse. */
  jobGet: 'fluxi.catalog.job.get',
  /** Request VerifyApiKeyRequest → VerifyApiKeyResponse. */
  apiKeyVerify: 'fluxi.catalog.apikey.verify',
} as const;

/** BullMQ queue that executors of a pool consume (payload: ExecuteJob as proto JSON). */
export const executeQueueName = (pool: string): string => `execute-${pool}`;
