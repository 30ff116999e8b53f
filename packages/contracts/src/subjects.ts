/**
 * NATS names shared by every service: JetStream streams, their subjects, and the
 * request/reply subjects. The payload of each is a message from proto/.
 */
export const Streams = {
  /** Job run lifecycle events (JobRunEvent). */
  events: { name: 'FLUXI_EVENTS', subjects: ['fluxi.events.>'] },
  /** Job output (LogChunk). */
  logs: { name: 'FLUXI_LOGS', subjects: ['fluxi.logs.>'] },
  /**
   * Commands to every executor (CancelJobRun). A stream, not a core broadcast, so that
   * an executor cut off from NATS for a moment still gets what was sent meanwhile;
   * kept 10 minutes, as long as an executor remembers a cancel.
   */
  control: { name: 'FLUXI_CONTROL', subjects: ['fluxi.executor.cancel'], maxAgeMs: 600_000 },
} as const;

/** NATS KV buckets. */
export const Buckets = {
  /** Installation-wide settings changed at run time; key `log` holds LogSettings. */
  settings: { name: 'fluxi-settings', logKey: 'log' },
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
  /** Request ResolveContextsRequest → ResolveContextsResponse (executor asks the scheduler). */
  contextsResolve: 'fluxi.scheduler.contexts.resolve',
  /** Request GetJobRunRequest → GetJobRunResponse (the logs service asks the scheduler). */
  jobRunGet: 'fluxi.scheduler.jobrun.get',
  /** CancelJobRun, on the FLUXI_CONTROL stream: every executor stops the attempt if it runs it. */
  jobRunCancel: 'fluxi.executor.cancel',
} as const;

/** BullMQ queue that executors of a pool consume (payload: ExecuteJob as proto JSON). */
export const executeQueueName = (pool: string): string => `execute-${pool}`;

/**
 * BullMQ job id of an attempt: the job-run id for attempt 1, `${id}-a${attempt}` after.
 * One id per attempt, so an attempt is never enqueued twice.
 */
export const executeJobId = (jobRunId: string, attempt: number): string =>
  attempt <= 1 ? jobRunId : `${jobRunId}-a${attempt}`;
