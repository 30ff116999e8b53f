import { FLUXI_VERSION, healthErrorText, type CheckResult, type HealthReport } from '@fluxi/common';

/** A subgraph's state as the gateway reports it, with the subgraph's own checks when it answered. */
export interface SubgraphHealth extends CheckResult {
  checks?: Record<string, CheckResult>;
}

/** The body of the gateway's `GET /health`: 200 when `ok`, 503 when `degraded`. */
export interface GatewayHealth {
  status: 'ok' | 'degraded';
  version: string;
  checks: Record<string, CheckResult | SubgraphHealth>;
}

/** `http://host:port/graphql` → `http://host:port/health` (a path prefix before /graphql is kept). */
export function healthUrl(subgraphUrl: string): string {
  const url = new URL(subgraphUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '').replace(/\/graphql$/, '')}/health`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

/** Reads a subgraph's answer to `GET /health`: up only for 200 with `status: "ok"`. */
export function subgraphHealthFrom(httpStatus: number, body: unknown, latencyMs: number): SubgraphHealth {
  const checks = checksOf(body);
  const reported = isRecord(body) ? body['status'] : undefined;
  const withChecks = checks === undefined ? {} : { checks };
  if (httpStatus === 200 && reported === 'ok') return { status: 'up', latencyMs, ...withChecks };
  const down = Object.entries(checks ?? {})
    .filter(([, check]) => check.status === 'down')
    .map(([name]) => name);
  const error =
    down.length > 0
      ? `${down.join(', ')} down`
      : checks === undefined
        ? `/health answered HTTP ${httpStatus} without a health report`
        : `/health answered HTTP ${httpStatus}`;
  return { status: 'down', error, latencyMs, ...withChecks };
}

/** The gateway's own checks and its subgraphs' states, in one body. */
export function gatewayHealth(own: HealthReport, subgraphs: Record<string, SubgraphHealth>): GatewayHealth {
  const checks = { ...own.checks, ...subgraphs };
  const up = Object.values(checks).every((check) => check.status === 'up');
  return { status: up ? 'ok' : 'degraded', version: FLUXI_VERSION, checks };
}

/** The checks of a subgraph's health body, each reduced to the known fields. */
function checksOf(body: unknown): Record<string, CheckResult> | undefined {
  const checks = isRecord(body) ? body['checks'] : undefined;
  if (!isRecord(checks)) return undefined;
  const entries = Object.entries(checks).map(([name, value]): [string, CheckResult] => {
    const check = isRecord(value) ? value : {};
    const latencyMs = typeof check['latencyMs'] === 'number' ? check['latencyMs'] : 0;
    if (check['status'] === 'up') return [name, { status: 'up', latencyMs }];
    const error = typeof check['error'] === 'string' ? healthErrorText(check['error']) : 'reported down';
    return [name, { status: 'down', error, latencyMs }];
  });
  return Object.fromEntries(entries);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
