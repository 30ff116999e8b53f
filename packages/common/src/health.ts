import { FLUXI_VERSION } from './version.js';

/**
 * Health checks of a service's own dependencies (NATS, database, Redis, ClickHouse…),
 * run in parallel, each bounded by a short timeout, so `GET /health` answers quickly
 * and names what is down even when a dependency hangs.
 */

/** One dependency's state as `/health` reports it. */
export interface CheckResult {
  status: 'up' | 'down';
  /** Why it is down: one short line, without stack trace or server path. */
  error?: string;
  /** How long the check took (up to the timeout). */
  latencyMs: number;
}

/** What a service reports: `ok` only when every check is up. */
export interface HealthReport {
  status: 'ok' | 'down';
  checks: Record<string, CheckResult>;
}

/**
 * Resolves when the dependency answers, throws (or never settles) when it does not.
 * `signal` aborts at the timeout, for checks whose client can give up a request.
 */
export type HealthCheck = (signal: AbortSignal) => Promise<unknown>;

/** A service's named checks, e.g. `{ nats, database }`. */
export type HealthChecks = Record<string, HealthCheck>;

/** How long one check may take before it counts as down. */
export const HEALTH_CHECK_TIMEOUT_MS = 1500;

/** The longest error text a check reports. */
const MAX_ERROR_LENGTH = 160;

/** Runs every check at once and reports each; resolves within about `timeoutMs`, never rejects. */
export async function runHealthChecks(
  checks: HealthChecks,
  options: { timeoutMs?: number } = {},
): Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? HEALTH_CHECK_TIMEOUT_MS;
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const),
  );
  return {
    status: results.every(([, result]) => result.status === 'up') ? 'ok' : 'down',
    checks: Object.fromEntries(results),
  };
}

/** The body of a service's `GET /health`: 200 when `status` is `ok`, 503 otherwise. */
export interface ServiceHealth extends HealthReport {
  service: string;
  version: string;
}

/** Runs a service's checks and names the service and version, as its `GET /health` answers. */
export async function serviceHealth(
  service: string,
  checks: HealthChecks,
  options: { timeoutMs?: number } = {},
): Promise<ServiceHealth> {
  const report = await runHealthChecks(checks, options);
  return { status: report.status, service, version: FLUXI_VERSION, checks: report.checks };
}

/** Runs one check against its timeout; a check that throws or hangs is down. */
export async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = Date.now();
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      resolve('timeout');
      abort.abort();
    }, timeoutMs);
  });
  try {
    const attempt = Promise.resolve().then(() => check(abort.signal));
    // A check that fails after its timeout must not become an unhandled rejection.
    attempt.catch(() => undefined);
    const outcome = await Promise.race([attempt.then(() => 'answered' as const), timedOut]);
    const latencyMs = Date.now() - started;
    if (outcome === 'timeout') return { status: 'down', error: `no answer within ${timeoutMs} ms`, latencyMs };
    return { status: 'up', latencyMs };
  } catch (error) {
    return { status: 'down', error: healthErrorText(error), latencyMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A short, safe text for an error: the first line of its message, file paths replaced
 * by `<path>`, cut to a few words. Stack traces and server paths never leave the server.
 */
export function healthErrorText(error: unknown): string {
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const firstLine = (raw.split('\n').find((line) => line.trim() !== '') ?? '').trim();
  const withoutPaths = firstLine.replace(/(?:[A-Za-z]:)?(?:[\\/][\w.@~+-]+){2,}[\\/]?/g, '<path>');
  const text =
    withoutPaths.length > MAX_ERROR_LENGTH ? `${withoutPaths.slice(0, MAX_ERROR_LENGTH - 1)}…` : withoutPaths;
  return text === '' ? 'check failed' : text;
}
