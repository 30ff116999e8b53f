import type { FluxiConfig } from '@fluxi/common';

/** How long the executor waits for the finish events of jobs it killed (see services/executor main.ts). */
const EXECUTOR_PUBLISH_GRACE_MS = 10_000;
/** Closing connections, local servers (5 s each at most) and log files. */
const TEARDOWN_MS = 15_000;

/**
 * Every stop is bounded: running jobs get `executor.shutdownGraceSec`, then are
 * killed and reported; what is left of a stop past these bounds is cut short.
 */
export function stopBounds(config: FluxiConfig): { executorProcessMs: number; totalMs: number } {
  const executorProcessMs = config.executor.shutdownGraceSec * 1000 + EXECUTOR_PUBLISH_GRACE_MS + 5000;
  return { executorProcessMs, totalMs: executorProcessMs + TEARDOWN_MS };
}
