import {
  AggregatorRegistry,
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';
import { FLUXI_VERSION } from './version.js';

export { Counter, Gauge, Histogram, Registry };

/** The metrics one source (a service of another process) hands over as JSON (prom-client's `getMetricsAsJSON`). */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** `Content-Type` of the Prometheus text exposition. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Buckets (seconds) for durations from a fraction of a second to hours: jobs, runs, waits. */
export const DURATION_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
/** Buckets (seconds) for short latencies: pickup, schedule fire lag. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

let processRegistry: Registry | undefined;

/** prom-client default metrics that are gauges with a `_total` suffix. */
const GAUGES_NAMED_TOTAL = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * This process's default metrics (`process_*`, `nodejs_*`: CPU, memory, event loop, GC),
 * collected once per process whatever the number of services it runs.
 */
export function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    // Gauges named like counters (promtool refuses them); nodejs_active_{handles,requests,resources} by type stay.
    for (const name of GAUGES_NAMED_TOTAL) processRegistry.removeSingleMetric(name);
  }
  return processRegistry;
}

/**
 * The metrics of the services of one Fluxi started by one launcher. In the `all` mode the
 * gateway serves them merged on its `/metrics`: each in-process service's registry, the
 * process metrics once, and what other processes (the executor child) hand over.
 */
export class MetricsHub {
  private readonly registries = new Map<string, Registry>();
  private readonly remotes = new Map<string, () => Promise<MetricsJson>>();

  add(service: string, registry: Registry): void {
    this.registries.set(service, registry);
  }

  /** A source in another process; one that does not answer is left out of that scrape. */
  addRemote(name: string, read: () => Promise<MetricsJson>): void {
    this.remotes.set(name, read);
  }

  /**
   * Every source in one exposition. Metrics of the same name from several services (such as
   * `fluxi_build_info`) become one family whose series differ by their `service` label.
   */
  async exposition(): Promise<string> {
    const remote = await Promise.all(
      [...this.remotes.values()].map((read) => read().catch((): MetricsJson | undefined => undefined)),
    );
    const local = await Promise.all(
      [processMetrics(), ...this.registries.values()].map((registry) => registry.getMetricsAsJSON()),
    );
    const all = [...local, ...remote.filter((json): json is MetricsJson => json !== undefined)];
    return AggregatorRegistry.aggregate<typeof METRICS_CONTENT_TYPE>(all).metrics();
  }
}

/**
 * One service's registry: every metric it defines carries `service="<name>"`. Added to the
 * launcher's hub when there is one (the `all` mode's merged endpoint).
 */
export function serviceRegistry(service: string, hub?: MetricsHub): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  new Gauge({
    name: 'fluxi_build_info',
    help: 'Always 1: the Fluxi version a running service was built from (service health panels count these).',
    labelNames: ['version'],
    registers: [registry],
  }).set({ version: FLUXI_VERSION }, 1);
  hub?.add(service, registry);
  return registry;
}

/** The text a service's own `/metrics` answers: its registry and this process's metrics. */
export function serviceExposition(registry: Registry): Promise<string> {
  return Registry.merge([processMetrics(), registry]).metrics();
}

/**
 * A label whose values come from users (pipeline names): the first `max` distinct values
 * are kept, every later one is `other`, so a label never grows past `max + 1` series.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  value(raw: string | undefined): string {
    const name = raw === undefined || raw === '' ? 'unknown' : raw;
    if (this.seen.has(name)) return name;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(name);
    return name;
  }
}
