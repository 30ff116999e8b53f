import { join } from 'node:path';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi, type FluxiSystem } from '@fluxi/server';
import { startNatsServer, startRedisServer, tempDir, waitFor, type RestartableServer } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Check {
  status: 'up' | 'down';
  error?: string;
  latencyMs: number;
  checks?: Record<string, Check>;
}

interface Health {
  httpStatus: number;
  status: string;
  version: string;
  checks: Record<string, Check>;
  text: string;
}

/**
 * The gateway's /health against real servers: the services (catalog, logs, scheduler,
 * gateway; embedded PGlite and chDB) run on a nats-server and a redis-server of the
 * test's own, which the test kills and brings back on the same port.
 */
describe('gateway /health reports every dependency', () => {
  const dir = tempDir('fluxi-health-');
  let nats: RestartableServer;
  let redis: RestartableServer;
  let system: FluxiSystem | undefined;

  const health = async (): Promise<Health> => {
    // Bounds the test, not an assertion on timing: /health itself answers within ~2.5 s.
    const response = await fetch(`${system?.url ?? ''}/health`, { signal: AbortSignal.timeout(15_000) });
    const text = await response.text();
    return { httpStatus: response.status, text, ...(JSON.parse(text) as Omit<Health, 'httpStatus' | 'text'>) };
  };

  const expectAllUp = (body: Health) => {
    expect(body).toMatchObject({
      httpStatus: 200,
      status: 'ok',
      checks: {
        nats: { status: 'up' },
        catalog: { status: 'up', checks: { nats: { status: 'up' }, database: { status: 'up' } } },
        scheduler: {
          status: 'up',
          checks: { nats: { status: 'up' }, database: { status: 'up' }, redis: { status: 'up' } },
        },
        logs: { status: 'up', checks: { nats: { status: 'up' }, clickhouse: { status: 'up' } } },
      },
    });
  };

  const expectSafe = (body: Health) => {
    expect(body.text).not.toMatch(/\n\s+at /);
    expect(body.text).not.toContain(dir.path);
    expect(body.text).not.toContain('node_modules');
  };

  beforeAll(async () => {
    // Data folders given: servers of the test's own even when FLUXI_TEST_*_URL point elsewhere.
    [nats, redis] = await Promise.all([
      startNatsServer({ storeDir: join(dir.path, 'nats') }),
      startRedisServer({ dir: tempDir('fluxi-health-redis-').path }),
    ]);
    const config = loadConfig({
      flags: {
        dataDir: join(dir.path, 'data'),
        'gateway.port': 0,
        'log.console': false,
        'nats.url': nats.url,
        'redis.url': redis.url,
      },
    });
    system = await startFluxi(config, createLogger({ level: 'silent', console: false }), [
      'catalog',
      'logs',
      'scheduler',
      'gateway',
    ]);
  });

  afterAll(async () => {
    await system?.stop();
    await Promise.all([nats?.stop(), redis?.stop()]);
    dir.remove();
  });

  it('answers 200 with every check up, and the version', async () => {
    const body = await health();
    expectAllUp(body);
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.checks['catalog']?.checks?.['database']?.error).toBeUndefined();
  });

  it('answers 503 naming nats while the NATS server is down, then 200 once it is back', async () => {
    await nats.kill();
    try {
      const down = await waitFor(
        async () => {
          const body = await health();
          return body.httpStatus === 503 && body.checks['nats']?.status === 'down' && body;
        },
        { what: '/health to report nats down', timeoutMs: 30_000, intervalMs: 200 },
      );
      expect(down.status).toBe('degraded');
      expect(down.checks['nats']?.error).toEqual(expect.any(String));
      // Each service names its own NATS connection; the stores stay up.
      expect(down.checks).toMatchObject({
        catalog: { status: 'down', checks: { nats: { status: 'down' }, database: { status: 'up' } } },
        scheduler: { status: 'down', checks: { nats: { status: 'down' }, redis: { status: 'up' } } },
        logs: { status: 'down', checks: { nats: { status: 'down' }, clickhouse: { status: 'up' } } },
      });
      expect(down.checks['catalog']?.error).toContain('nats');
      expectSafe(down);
      // Liveness only says the process answers: a restart would not bring NATS back.
      expect((await fetch(`${system?.url ?? ''}/health/live`)).status).toBe(200);
    } finally {
      await nats.restart();
    }
    const back = await waitFor(
      async () => {
        const body = await health();
        return body.httpStatus === 200 && body;
      },
      { what: '/health to be ok again after NATS came back', timeoutMs: 30_000, intervalMs: 200 },
    );
    expectAllUp(back);
  });

  it("answers 503 naming the scheduler's redis while Redis is down, then 200 once it is back", async () => {
    await redis.kill();
    try {
      const down = await waitFor(
        async () => {
          const body = await health();
          return body.httpStatus === 503 && body.checks['scheduler']?.checks?.['redis']?.status === 'down' && body;
        },
        { what: "/health to report the scheduler's redis down", timeoutMs: 30_000, intervalMs: 200 },
      );
      expect(down).toMatchObject({
        status: 'degraded',
        checks: {
          nats: { status: 'up' },
          catalog: { status: 'up' },
          logs: { status: 'up' },
          scheduler: {
            status: 'down',
            error: 'redis down',
            checks: { nats: { status: 'up' }, database: { status: 'up' } },
          },
        },
      });
      expect(down.checks['scheduler']?.checks?.['redis']?.error).toEqual(expect.any(String));
      expectSafe(down);
    } finally {
      await redis.restart();
    }
    const back = await waitFor(
      async () => {
        const body = await health();
        return body.httpStatus === 200 && body;
      },
      { what: '/health to be ok again after Redis came back', timeoutMs: 30_000, intervalMs: 200 },
    );
    expectAllUp(back);
  });

  it('answers 503 naming a subgraph that is gone', async () => {
    const services = system?.services ?? [];
    const at = services.findIndex((service) => service.name === 'logs');
    expect(at).toBeGreaterThanOrEqual(0);
    // Taken out of the system first, so its stop() in afterAll does not stop it twice.
    const [logs] = services.splice(at, 1);
    await logs?.stop();
    const down = await waitFor(
      async () => {
        const body = await health();
        return body.httpStatus === 503 && body;
      },
      { what: '/health to report the logs subgraph down', timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(down).toMatchObject({
      status: 'degraded',
      checks: {
        nats: { status: 'up' },
        catalog: { status: 'up' },
        scheduler: { status: 'up' },
        logs: { status: 'down' },
      },
    });
    expect(down.checks['logs']?.error).toMatch(/unreachable/);
    expectSafe(down);
  });
});
