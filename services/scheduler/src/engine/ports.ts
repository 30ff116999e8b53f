import type { ExecuteJob, JobSpec, PipelineSnapshot } from '@fluxi/contracts';
import type { AttemptObservation } from '../domain/holding.js';
import type { DirectoryExecutor } from '../domain/waiting.js';

/** Definitions owned by the catalog service (implemented over NATS request/reply). */
export interface CatalogClient {
  /** Throws FluxiError NOT_FOUND for an unknown pipeline, UNAVAILABLE when nobody answers. */
  pipelineSnapshot(pipelineId: string): Promise<PipelineSnapshot>;
  /** Throws FluxiError NOT_FOUND for an unknown job, UNAVAILABLE when nobody answers. */
  job(jobId: string): Promise<JobSpec>;
}

/** One attempt to enqueue, possibly after a delay (retry backoff). */
export interface QueuedAttempt {
  readonly job: ExecuteJob;
  readonly delayMs: number;
}

/** The executor work queue (implemented with BullMQ). */
export interface ExecuteQueue {
  /** Adds attempts to the queue; an attempt already there is not added twice. */
  enqueue(attempts: readonly QueuedAttempt[]): Promise<void>;
  /** Whether the queue still holds this attempt: waiting, delayed, running, or finished and kept. */
  holds(jobRunId: string, attempt: number): Promise<boolean>;
  /** Takes a waiting or delayed attempt out of the queue; false when it is not there or already running. */
  remove(jobRunId: string, attempt: number): Promise<boolean>;
}

/** Tells executors to stop attempts (implemented with the FLUXI_CONTROL JetStream stream). */
export interface ExecutorControl {
  cancel(attempts: readonly { jobRunId: string; attempt: number; reason: string }[]): Promise<void>;
}

/**
 * Who holds an open attempt, seen from outside the store: today the executor queue
 * (BullMQ's state of the attempt's job) and the events stream (whether its finish event
 * waits there); executor heartbeats are to come as one more part of the observation.
 * `domain/holding.ts` decides from it whether the attempt is lost.
 */
export interface AttemptHolders {
  observe(attempt: { jobRunId: string; attempt: number }): Promise<AttemptObservation>;
}

/**
 * The registered executors, as the waiting reason of a queued job run needs them
 * (implemented over the NATS KV registry `fluxi-executors`).
 */
export interface ExecutorDirectory {
  list(): Promise<readonly DirectoryExecutor[]>;
}

/** An attempt armed on the attempt it waits for (domain/arming.ts), with what to enqueue. */
export interface ArmedAttempt {
  readonly queued: QueuedAttempt;
  readonly on: { readonly jobRunId: string; readonly attempt: number };
}

/** How a claim of an armed attempt went: this scheduler took it, its executor had, or nothing was armed. */
export type ArmedClaim = 'won' | 'taken' | 'missing';

/**
 * The fast path's hand-overs (implemented in Redis beside the executor queues): an armed attempt
 * is enqueued by whoever claims it first, the executor of the attempt it waits for (the moment
 * that one succeeds) or this scheduler (when it applies that end); never by both.
 */
export interface ArmedHandOvers {
  /** Stores armed attempts, each under the attempt it waits for; only after the transaction that armed them committed. */
  arm(armed: readonly ArmedAttempt[]): Promise<void>;
  /** Claims armed attempts, in order. */
  claim(attempts: readonly { readonly jobRunId: string; readonly attempt: number }[]): Promise<ArmedClaim[]>;
}
