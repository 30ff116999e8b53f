import type { FluxiConfig, Logger } from '@fluxi/common';
import type { Nats } from '@fluxi/messaging';

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

export const EXECUTOR_DEPS = Symbol('EXECUTOR_DEPS');
/** The DriverRegistry the runner chooses a job's driver from. */
export const DRIVERS = Symbol('DRIVERS');
/** The artifact store (a LocalArtifactStore from @fluxi/artifacts). */
export const ARTIFACT_STORE = Symbol('ARTIFACT_STORE');
