import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, requireTool, run } from './tools.js';

/* docker-compose.yml checked by a compose implementation's own `config` (Debian's docker-compose 1.29). */

const COMPOSE = join(ROOT, 'docker-compose.yml');
const SERVERS = ['nats', 'redis', 'postgres', 'clickhouse'];
const FLUXI = ['catalog', 'scheduler', 'logs', 'executor', 'gateway'];
const compose = requireTool('docker-compose', 'docker-compose');

interface Service {
  image?: string;
  container_name?: string;
  ports?: unknown[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
}

/** Seconds of a compose duration as `docker-compose config` writes it (1m15s, 75s). */
function seconds(duration: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  if (match === null) throw new Error(`not a duration: ${duration}`);
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

describe.skipIf(!compose)('docker-compose.yml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxi-compose-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `docker-compose config` of a changed copy, resolved against the repository like the file itself. */
  const configOf = (text: string) => {
    const file = join(dir, 'docker-compose.yml');
    writeFileSync(file, text);
    return run('docker-compose', ['--project-directory', ROOT, '-f', file, 'config', '-q']);
  };

  it('passes `docker-compose config -q`', () => {
    const check = run('docker-compose', ['-f', COMPOSE, 'config', '-q']);
    expect(check.output).toBe('');
    expect(check.status).toBe(0);
  });

  it('is refused with a value of the wrong type or an unknown key', () => {
    const original = readFileSync(COMPOSE, 'utf8');
    const wrongType = configOf(original.replace('retries: 6,', 'retries: six,'));
    expect(wrongType.status).not.toBe(0);
    expect(wrongType.output).toMatch(/retries.*"six" is not a valid integer/);
    const unknownKey = configOf(original.replace('stop_grace_period: 75s', 'stop_grace_periode: 75s'));
    expect(unknownKey.status).not.toBe(0);
    expect(unknownKey.output).toContain("Unsupported config option for services.executor: 'stop_grace_periode'");
  });

  describe('as resolved by docker-compose', () => {
    let services: Record<string, Service> = {};
    beforeAll(() => {
      const out = run('docker-compose', ['-f', COMPOSE, 'config']);
      expect(out.status).toBe(0);
      services = (parse(out.output) as { services: Record<string, Service> }).services;
    });

    it('runs every server and service in its own container, the collector and monitoring too', () => {
      expect(Object.keys(services).sort()).toEqual(
        [...SERVERS, ...FLUXI, 'otel-collector', 'prometheus', 'grafana'].sort(),
      );
    });

    it('starts each Fluxi service once its servers are healthy, with a health check and traces on', () => {
      for (const name of FLUXI) {
        const service = services[name] as Service;
        for (const server of SERVERS)
          expect(service.depends_on?.[server]?.condition, `${name} → ${server}`).toBe('service_healthy');
        expect(service.healthcheck?.test.join(' '), name).toMatch(/^CMD node -e .* http:\/\/127\.0\.0\.1:\d+\//);
        expect(service.environment).toMatchObject({
          FLUXI_TELEMETRY__TRACES_ENABLED: 'true',
          FLUXI_TELEMETRY__OTLP_ENDPOINT: 'http://otel-collector:4318',
        });
      }
      for (const server of SERVERS) expect(services[server]?.healthcheck, server).toBeDefined();
      for (const subgraph of ['catalog', 'scheduler', 'logs']) {
        expect(services.gateway?.depends_on?.[subgraph]?.condition).toBe('service_healthy');
      }
    });

    it('lets executors scale: no fixed name or published port, a stop grace above their drain', () => {
      const executor = services.executor as Service;
      expect(executor.container_name).toBeUndefined();
      expect(executor.ports).toBeUndefined();
      // executor.shutdownGraceSec (30 s) for running jobs, then 10 s for their finish events.
      expect(seconds(executor.stop_grace_period ?? '0s')).toBeGreaterThan(30 + 10);
    });
  });
});

if (!compose) {
  describe('docker-compose.yml', () => {
    it.skip('docker-compose config: docker-compose is not installed here (apt-get install docker-compose)', () => {});
  });
}
