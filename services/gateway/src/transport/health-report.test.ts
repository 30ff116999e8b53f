import { FLUXI_VERSION } from '@fluxi/common';
import { describe, expect, it } from 'vitest';
import { gatewayHealth, healthUrl, subgraphHealthFrom } from './health-report.js';

describe('healthUrl', () => {
  it('puts /health in place of /graphql', () => {
    expect(healthUrl('http://127.0.0.1:4001/graphql')).toBe('http://127.0.0.1:4001/health');
    expect(healthUrl('http://catalog:4001/graphql/')).toBe('http://catalog:4001/health');
    expect(healthUrl('http://proxy/catalog/graphql?x=1')).toBe('http://proxy/catalog/health');
    expect(healthUrl('http://[::1]:4001/')).toBe('http://[::1]:4001/health');
  });
});

describe('subgraphHealthFrom', () => {
  const up = { status: 'up', latencyMs: 2 } as const;

  it('is up for 200 with status ok, keeping the nested checks', () => {
    expect(subgraphHealthFrom(200, { status: 'ok', checks: { nats: up, database: up } }, 5)).toEqual({
      status: 'up',
      latencyMs: 5,
      checks: { nats: up, database: up },
    });
  });

  it('is down for 503, naming the failing checks', () => {
    const body = {
      status: 'down',
      checks: { nats: { status: 'down', error: 'NATS does not answer', latencyMs: 1 }, database: up },
    };
    expect(subgraphHealthFrom(503, body, 5)).toEqual({
      status: 'down',
      error: 'nats down',
      latencyMs: 5,
      checks: { nats: { status: 'down', error: 'NATS does not answer', latencyMs: 1 }, database: up },
    });
  });

  it('is down for an answer that is not a health report', () => {
    expect(subgraphHealthFrom(404, '<html>', 5)).toEqual({
      status: 'down',
      error: '/health answered HTTP 404 without a health report',
      latencyMs: 5,
    });
    expect(subgraphHealthFrom(200, { status: 'ok' }, 5).status).toBe('up');
    expect(subgraphHealthFrom(200, { status: 'weird', checks: {} }, 5)).toMatchObject({
      status: 'down',
      error: '/health answered HTTP 200',
    });
  });

  it('keeps only the known fields of each nested check, with a safe error text', () => {
    const body = {
      status: 'down',
      checks: { redis: { status: 'down', error: 'boom\n    at /srv/app/x.js:1', latencyMs: 'x', extra: 1 }, other: 7 },
    };
    expect(subgraphHealthFrom(503, body, 5).checks).toEqual({
      redis: { status: 'down', error: 'boom', latencyMs: 0 },
      other: { status: 'down', error: 'reported down', latencyMs: 0 },
    });
  });
});

describe('gatewayHealth', () => {
  const ok = { status: 'ok', checks: { nats: { status: 'up', latencyMs: 1 } } } as const;

  it('is ok only when its own checks and every subgraph are up', () => {
    expect(gatewayHealth(ok, { catalog: { status: 'up', latencyMs: 1 } })).toEqual({
      status: 'ok',
      version: FLUXI_VERSION,
      checks: { nats: { status: 'up', latencyMs: 1 }, catalog: { status: 'up', latencyMs: 1 } },
    });
  });

  it('is degraded when a subgraph or its own dependency is down', () => {
    expect(gatewayHealth(ok, { logs: { status: 'down', error: 'clickhouse down', latencyMs: 1 } }).status).toBe(
      'degraded',
    );
    const natsDown = { status: 'down', checks: { nats: { status: 'down', error: 'x', latencyMs: 1 } } } as const;
    expect(gatewayHealth(natsDown, { catalog: { status: 'up', latencyMs: 1 } }).status).toBe('degraded');
  });
});
