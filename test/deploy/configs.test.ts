import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, requireTool, run } from './tools.js';

/* The configuration files docker-compose.yml mounts: Prometheus's by promtool, the collector's by what it needs. */

const PROMETHEUS = join(ROOT, 'deploy/prometheus/prometheus.yml');
const COLLECTOR = join(ROOT, 'deploy/otel-collector/config.yaml');
const promtool = requireTool('promtool', 'prometheus');

describe.skipIf(!promtool)('deploy/prometheus/prometheus.yml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxi-promtool-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes `promtool check config`', () => {
    const check = run('promtool', ['check', 'config', PROMETHEUS]);
    expect(check.output).toContain('SUCCESS');
    expect(check.status).toBe(0);
  });

  it('is refused when broken', () => {
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, readFileSync(PROMETHEUS, 'utf8').replace('scrape_interval: 15s', 'scrape_interval: fifteen'));
    const check = run('promtool', ['check', 'config', file]);
    expect(check.status).not.toBe(0);
    expect(check.output).toContain('fifteen');
  });
});

if (!promtool) {
  describe('deploy/prometheus/prometheus.yml', () => {
    it.skip('promtool check config: promtool is not installed here (apt-get install prometheus)', () => {});
  });
}

interface Pipeline {
  receivers: string[];
  processors?: string[];
  exporters: string[];
}
interface CollectorConfig {
  receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } } & Record<
    string,
    unknown
  >;
  processors?: Record<string, unknown>;
  exporters: Record<string, unknown>;
  extensions?: Record<string, unknown>;
  service: { extensions?: string[]; pipelines: Record<string, Pipeline> };
}

describe('deploy/otel-collector/config.yaml', () => {
  const config = parse(readFileSync(COLLECTOR, 'utf8')) as CollectorConfig;

  it('receives OTLP on 4317 (gRPC) and 4318 (HTTP), where docker-compose.yml sends traces', () => {
    expect(config.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')).toContain(
      'FLUXI_TELEMETRY__OTLP_ENDPOINT: http://otel-collector:4318',
    );
  });

  it('has a traces pipeline whose every component is defined, batched, to the debug exporter', () => {
    const traces = config.service.pipelines.traces as Pipeline;
    expect(traces.receivers).toContain('otlp');
    expect(traces.processors).toContain('batch');
    expect(traces.exporters).toContain('debug');
    for (const [name, pipeline] of Object.entries(config.service.pipelines)) {
      for (const receiver of pipeline.receivers)
        expect(config.receivers, `${name}: ${receiver}`).toHaveProperty([receiver]);
      for (const processor of pipeline.processors ?? []) {
        expect(config.processors, `${name}: ${processor}`).toHaveProperty([processor]);
      }
      for (const exporter of pipeline.exporters)
        expect(config.exporters, `${name}: ${exporter}`).toHaveProperty([exporter]);
    }
    for (const extension of config.service.extensions ?? []) expect(config.extensions).toHaveProperty([extension]);
  });
});
