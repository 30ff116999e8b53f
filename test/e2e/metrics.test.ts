import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi, type FluxiSystem } from '@fluxi/server';
import { tempDir, waitFor } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from './client.js';
import { FluxiApi } from './fluxi-api.js';

/* /metrics of every service, through a started Fluxi (`all` mode: four services in process, the executor as its own process). */

const DASHBOARDS = new URL('../../deploy/grafana/dashboards/', import.meta.url).pathname;
/** Series Prometheus makes itself for each target; a dashboard may use them without a service exposing them. */
const PROMETHEUS_SERIES = new Set(['up']);

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
if (!promtool && process.env.CI !== undefined) {
  throw new Error('promtool is missing: CI installs it (Debian package prometheus, scripts/ci-setup.sh)');
}

describe('metrics', () => {
  const dir = tempDir('fluxi-metrics-');
  let system: FluxiSystem;
  let api: FluxiApi;
  /** Each service's /metrics base URL by name. */
  let endpoints: Map<string, string>;

  beforeAll(async () => {
    const config = loadConfig({
      flags: { dataDir: dir.path, 'gateway.port': 0, 'log.console': false, 'executor.concurrency': 2 },
    });
    system = await startFluxi(config, createLogger({ level: 'warn', console: false, dir: `${dir.path}/logs` }));
    api = new FluxiApi(client(system.url as string, system.adminKey as string));
    endpoints = new Map(
      system.services.flatMap((service) => {
        const base = service.metricsUrl ?? service.url;
        return base === undefined ? [] : [[service.name, base] as const];
      }),
    );
  });

  afterAll(async () => {
    await system?.stop();
    dir.remove();
  });

  it('every service serves /metrics, and the gateway merges them all', async () => {
    expect([...endpoints.keys()].sort()).toEqual(['catalog', 'executor', 'gateway', 'logs', 'scheduler']);
    const merged = await scrape(system.url as string);
    for (const service of endpoints.keys()) {
      expect(merged).toContain(`fluxi_build_info{version="`);
      expect(merged).toMatch(new RegExp(`fluxi_build_info\\{[^}]*service="${service}"`));
    }
    expect(merged).toContain('fluxi_host_cpu_seconds_total{mode="idle"');
    expect(merged).toContain('process_cpu_seconds_total');
  });

  it.skipIf(!promtool)('passes `promtool check metrics` on every service', async () => {
    for (const [service, base] of endpoints) {
      const text = await scrape(base);
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect({ service, status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({
        service,
        status: 0,
        output: '',
      });
    }
  });
  if (!promtool)
    it.skip('promtool check metrics: promtool is not installed here (apt-get install prometheus)', () => {});

  it('a run moves the counters and histograms it should, and the dashboards use only exposed metrics', async () => {
    const before = samples(await scrape(system.url as string));
    const jobId = await api.createJob({ name: 'metrics-echo', command: 'echo one; echo two; echo three' });
    const failingId = await api.createJob({ name: 'metrics-fail', command: 'echo failing; exit 3' });
    const ok = await api.createPipeline({ name: 'metrics-ok', stages: [{ name: 'build', entries: [{ jobId }] }] });
    const bad = await api.createPipeline({
      name: 'metrics-bad',
      stages: [{ name: 'build', entries: [{ jobId: failingId }] }],
    });
    const okRun = await api.trigger(ok);
    const badRun = await api.trigger(bad);
    expect((await api.ended(okRun.id)).status).toBe('SUCCESS');
    expect((await api.ended(badRun.id)).status).toBe('FAILED');

    const after = await waitFor(
      async () => {
        const now = samples(await scrape(system.url as string));
        const ready =
          delta(before, now, 'fluxi_cicd_pipeline_run_duration_seconds_count', { pipeline: 'metrics-bad' }) >= 1 &&
          delta(before, now, 'fluxi_log_lines_ingested_total') >= 4;
        return ready ? now : undefined;
      },
      { what: 'the run metrics to move', timeoutMs: 30_000, intervalMs: 200 },
    );
    const changed = (name: string, labels: Record<string, string> = {}) => delta(before, after, name, labels);
    expect(
      changed('fluxi_cicd_pipeline_run_duration_seconds_count', { pipeline: 'metrics-ok', result: 'success' }),
    ).toBe(1);
    expect(
      changed('fluxi_cicd_pipeline_run_duration_seconds_count', { pipeline: 'metrics-bad', result: 'failure' }),
    ).toBe(1);
    expect(changed('fluxi_cicd_pipeline_run_duration_seconds_sum', { pipeline: 'metrics-ok' })).toBeGreaterThan(0);
    expect(changed('fluxi_cicd_pipeline_run_errors_total', { pipeline: 'metrics-bad', error_type: 'failure' })).toBe(1);
    expect(changed('fluxi_cicd_pipeline_run_errors_total', { pipeline: 'metrics-ok' })).toBe(0);
    expect(changed('fluxi_job_run_duration_seconds_count', { pipeline: 'metrics-ok', result: 'success' })).toBe(1);
    expect(changed('fluxi_job_run_duration_seconds_count', { pipeline: 'metrics-bad', result: 'failure' })).toBe(1);
    expect(changed('fluxi_job_run_pickup_latency_seconds_count')).toBe(2);
    expect(changed('fluxi_pipeline_runs_triggered_total')).toBe(2);
    expect(changed('fluxi_log_lines_ingested_total')).toBeGreaterThanOrEqual(4);
    expect(changed('fluxi_webhook_deliveries_total')).toBe(0);
    expect(value(after, 'fluxi_catalog_definitions', { kind: 'pipeline' })).toBeGreaterThanOrEqual(2);
    expect(value(after, 'fluxi_pool_job_capacity', { pool: 'default' })).toBe(2);
    expect(value(after, 'fluxi_cicd_workers', { pool: 'default' })).toBe(1);

    // The stats query over the same store.
    const stats = await api.gql.request<{ stats: { jobCount: number; successRate24h: number | null } }>(
      '{ stats { jobCount successRate24h } }',
    );
    expect(stats.stats.jobCount).toBeGreaterThanOrEqual(2);
    expect(stats.stats.successRate24h).not.toBeNull();

    // Every metric a dashboard panel queries is one a service declares (its # TYPE line).
    const exposed = new Set<string>();
    for (const base of endpoints.values()) for (const name of declaredNames(await scrape(base))) exposed.add(name);
    const files = readdirSync(DASHBOARDS).filter((file) => file.endsWith('.json'));
    expect(files.sort()).toEqual(['overview.json', 'pipelines.json', 'system.json']);
    const unknown: string[] = [];
    let queries = 0;
    for (const file of files) {
      for (const expr of dashboardExpressions(JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')))) {
        queries += 1;
        for (const name of promqlMetricNames(expr)) {
          if (!exposed.has(name) && !PROMETHEUS_SERIES.has(name)) unknown.push(`${file}: ${name} in ${expr}`);
        }
      }
    }
    expect(queries).toBeGreaterThan(20);
    expect(unknown).toEqual([]);
  });
});

describe('promqlMetricNames', () => {
  it('finds metric names, not functions, labels, grouping or variables', () => {
    expect(
      promqlMetricNames(
        'histogram_quantile(0.95, sum by (le, pipeline) (rate(fluxi_a_bucket{pipeline=~"$pipeline",x="y z"}[$__rate_interval]))) / on (pool) group_left fluxi_b + 1e3',
      ),
    ).toEqual(['fluxi_a_bucket', 'fluxi_b']);
    expect(promqlMetricNames('1 - fluxi_c / fluxi_d offset 5m')).toEqual(['fluxi_c', 'fluxi_d']);
  });
});

async function scrape(base: string): Promise<string> {
  const response = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function samples(text: string): Sample[] {
  const found: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] as string] = pair[2] as string;
    }
    found.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return found;
}

/** The sum of the samples of `name` whose labels include `labels`. */
function value(all: Sample[], name: string, labels: Record<string, string> = {}): number {
  return all
    .filter((s) => s.name === name && Object.entries(labels).every(([key, v]) => s.labels[key] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

function delta(before: Sample[], after: Sample[], name: string, labels: Record<string, string> = {}): number {
  return value(after, name, labels) - value(before, name, labels);
}

/** Names a scrape declares: each `# TYPE` family, with a histogram's _bucket, _sum and _count. */
function declaredNames(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
    type === 'histogram' || type === 'summary'
      ? [name as string, `${name}_bucket`, `${name}_sum`, `${name}_count`]
      : [name as string],
  );
}

/** Every `expr` of every panel target and every query variable of a dashboard. */
function dashboardExpressions(dashboard: {
  panels?: { targets?: { expr?: string }[] }[];
  templating?: { list?: { query?: { query?: string } | string }[] };
}): string[] {
  const exprs = (dashboard.panels ?? []).flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? ''));
  for (const variable of dashboard.templating?.list ?? []) {
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    const inner = query === undefined ? undefined : /label_values\(([^,)]+)/.exec(query)?.[1];
    if (inner !== undefined) exprs.push(inner.trim());
  }
  return exprs.filter((expr) => expr !== '');
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
  'inf',
  'nan',
]);

/** Metric names of a PromQL expression: identifiers not called as functions, outside label matchers, ranges and grouping. */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?!\w)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call !== undefined || name === undefined || PROMQL_WORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}
