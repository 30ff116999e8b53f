import { healthErrorText } from '@fluxi/common';
import { healthUrl, subgraphHealthFrom, type SubgraphHealth } from './health-report.js';

/** How long the gateway waits for a subgraph's /health (its own checks take at most ~1.5 s). */
export const SUBGRAPH_HEALTH_TIMEOUT_MS = 2500;

/** Asks a subgraph for its health; never throws, answers within `timeoutMs`. */
export async function probeSubgraph(
  subgraphUrl: string,
  timeoutMs = SUBGRAPH_HEALTH_TIMEOUT_MS,
): Promise<SubgraphHealth> {
  const started = Date.now();
  try {
    // The signal also bounds reading the body.
    const response = await fetch(healthUrl(subgraphUrl), { signal: AbortSignal.timeout(timeoutMs) });
    const body: unknown = await response.json().catch(() => undefined);
    return subgraphHealthFrom(response.status, body, Date.now() - started);
  } catch (error) {
    return { status: 'down', error: unreachable(error, timeoutMs), latencyMs: Date.now() - started };
  }
}

/** Why a fetch failed, in a few words: a timeout, or the connection error's code. */
function unreachable(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
  return code === undefined ? `unreachable: ${healthErrorText(error)}` : `unreachable (${code})`;
}
