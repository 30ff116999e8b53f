import type { FluxiConfig, Logger } from '@fluxi/common';
import type { Nats } from '@fluxi/messaging';
import type { Driver } from './drivers/driver.js';

/** Everything the executor's providers get from the outside, resolved by main.ts. */
export interface ExecutorDeps {
  config: FluxiConfig;
  redisUrl: string;
  logger: Logger;
  nats: Nats;
  /** hostname:pid, sent in `started` events. */
  executorId: string;
  /** How long stop() lets running jobs finish before killing them. */
  shutdownGraceMs: number;
  /** How long stop() then waits for killed jobs to publish their finish. */
  publishGraceMs: number;
  /** How long one JetStream publish waits for its ack before it is retried. */
  publishTimeoutMs: number;
  /** How long a NATS request to another service (context resolution) waits for its answer. */
  requestTimeoutMs: number;
}

/** The drivers a runner chooses from. */
export interface DriverSet {
  shell: Driver;
  /** Runs jobs that name an image. */
  docker: Driver;
}

export const EXECUTOR_DEPS = Symbol('EXECUTOR_DEPS');
export const DRIVERS = Symbol('DRIVERS');
/** The artifact store (a LocalArtifactStore from @fluxi/artifacts). */
export const ARTIFACT_STORE = Symbol('ARTIFACT_STORE');
