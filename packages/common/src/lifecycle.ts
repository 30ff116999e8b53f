import type { Logger } from 'pino';
import type { FluxiConfig } from './config/schema.js';
import type { MetricsHub } from './metrics.js';

/** What every service's `start()` returns: where it listens and how to stop it. */
export interface RunningService {
  readonly name: string;
  /** HTTP base URL of the service (its GraphQL subgraph is at `${url}/graphql`), when it has one. */
  readonly url?: string;
  /** Base URL of its `/metrics` when that is not under `url` (the executor's own listener). */
  readonly metricsUrl?: string;
  stop(options?: StopOptions): Promise<void>;
}

export interface StopOptions {
  /**
   * The process that started this one is gone (a launcher killed with SIGKILL), and
   * with it the local servers: nothing is left to report to, so the stop skips the
   * waits for publishing and ends within a few seconds.
   */
  orphaned?: boolean;
}

/**
 * What every service's `start()` takes. The launcher (or a test) resolves the
 * shared servers first: NATS and Redis URLs are always set here, even when the
 * config left them empty and the launcher started local servers.
 */
export interface ServiceOptions {
  config: FluxiConfig;
  natsUrl: string;
  redisUrl: string;
  /** Root logger; a service derives `logger.child({ service })`. */
  logger: Logger;
  /** The launcher's metrics hub: a service adds its registry to it (the `all` mode's merged `/metrics`). */
  metrics?: MetricsHub;
  /**
   * The catalog and the scheduler run in this process: with embedded databases, one PGlite holds
   * both (`<dataDir>/db/shared`, a schema each) instead of one PGlite each (~60 MB less).
   */
  sharedEmbeddedDatabase?: boolean;
}
