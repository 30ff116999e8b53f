import type { ExecuteJob, JobSpec, PipelineSnapshot } from '@fluxi/contracts';

/** Definitions owned by the catalog service (implemented over NATS request/reply). */
export interface CatalogClient {
  /** Throws FluxiError NOT_FOUND for an unknown pipeline, UNAVAILABLE when nobody answers. */
  pipelineSnapshot(pipelineId: string): Promise<PipelineSnapshot>;
  /** Throws FluxiError NOT_FOUND for an unknown job, UNAVAILABLE when nobody answers. */
  job(jobId: string): Promise<JobSpec>;
}

/** The executor work queue (implemented with BullMQ). */
export interface ExecuteQueue {
  /** Adds attempts to the queue; an attempt already there is not added twice. */
  enqueue(jobs: readonly ExecuteJob[]): Promise<void>;
  /** Whether the queue still holds this attempt: waiting, running, or finished and kept. */
  holds(jobRunId: string, attempt: number): Promise<boolean>;
}
