import type { Logger } from '@fluxi/common';
import type { PoolLimits } from '../domain/limits.js';
import type { RunStore } from '../store/run-store.js';
import type {
  ArmedHandOvers,
  AttemptHolders,
  CatalogClient,
  ExecuteQueue,
  ExecutorControl,
  ExecutorDirectory,
} from './ports.js';

/** What the systems of the run engine share. */
export interface EngineResources {
  readonly store: RunStore;
  readonly catalog: CatalogClient;
  readonly queue: ExecuteQueue;
  readonly executors: ExecutorControl;
  /** Who holds open attempts (reconciliation). */
  readonly holders: AttemptHolders;
  readonly logger: Logger;
  readonly now: () => Date;
  /** In [0, 1): retry jitter. */
  readonly random: () => number;
  /** Limits per executor pool (config `pools`); none when unset. */
  readonly pools?: PoolLimits;
  /** The registered executors, for waiting reasons; unknown when unset. */
  readonly directory?: ExecutorDirectory;
  /** GitLab's CI_DEFAULT_BRANCH of every run (config `scheduler.ciDefaultBranch`); unset: not set. */
  readonly ciDefaultBranch?: string;
  /**
   * The fast path's hand-overs: armed job runs are claimed through them when a step releases or drops
   * them (those armed before `scheduler.fastPath` was turned off too); unset: none is armed.
   */
  readonly armed?: ArmedHandOvers;
  /** Whether steps arm job runs (config `scheduler.fastPath`); false: only what was armed is claimed. */
  readonly arming?: boolean;
  /** Traces of runs (OpenTelemetry); unset when tracing is off, so the hot path pays nothing. */
  readonly tracing?: RunTracing;
}

/** What trigger and dispatch ask of tracing (transport/tracing/run-tracing.ts). */
export interface RunTracing {
  /** The ids of a new run's `cicd.pipeline.run` span (stored with the run); undefined: not traced. */
  startRun(runId: string): { traceparent: string; parentSpanId: string | null } | undefined;
  /** The traceparent each item's attempt takes to its executor (its job run's task span), by job run id. Never throws. */
  taskParents(items: readonly { jobRunId: string; pipelineRunId: string }[]): Promise<Map<string, string>>;
}
