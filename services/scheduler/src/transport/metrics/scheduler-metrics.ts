import { Gauge, Histogram, LATENCY_BUCKETS, type Logger, type Registry } from '@fluxi/common';
import { ExecutorState } from '@fluxi/contracts';
import type { RunStatsStore } from '../../store/stats-store.js';
import type { ObservedExecutor } from '../nats/executor-directory.js';
import type { QueueDepth } from '../queue/execute-queue.js';

/** What the scrape-time gauges read. */
export interface SchedulerMetricSources {
  stats: RunStatsStore;
  queue: { depths(): Promise<Map<string, QueueDepth>> };
  executors: { list(): Promise<ObservedExecutor[]> };
  logger: Logger;
}

/** A scrape never waits longer than this for one source; a late one keeps its last values. */
const SOURCE_TIMEOUT_MS = 2000;

/** OTel's cicd.pipeline.run.state of an open run; a run blocked by a manual job waits (pending). */
const RUN_STATES: Record<string, string> = {
  PENDING: 'pending',
  QUEUED: 'pending',
  MANUAL: 'pending',
  RUNNING: 'executing',
};

/** OTel `cicd.worker.state` of an executor (draining is Fluxi's own value). */
export function workerState(state: ExecutorState): string {
  switch (state) {
    case ExecutorState.BUSY:
      return 'busy';
    case ExecutorState.DRAINING:
      return 'draining';
    case ExecutorState.LOST:
      return 'offline';
    default:
      return 'available';
  }
}

/**
 * The scheduler's gauges, read when Prometheus scrapes: active runs (the database), queue
 * depth per pool (BullMQ), executors and their slots (the registry, NATS KV). Returns the
 * schedule fire lag histogram, observed by the fire loop's trigger port.
 */
export function registerSchedulerGauges(registry: Registry, sources: SchedulerMetricSources): Histogram {
  const registers = [registry];
  const read = <T>(what: string, promise: Promise<T>): Promise<T | undefined> =>
    bounded(promise, SOURCE_TIMEOUT_MS).catch((error: unknown) => {
      sources.logger.warn({ err: error, what }, 'metrics: a source did not answer');
      return undefined;
    });
  new Gauge({
    name: 'fluxi_cicd_pipeline_run_active',
    help: 'Pipeline runs not ended (OTel cicd.pipeline.run.active), by state: pending (pending, queued, blocked by a manual job), executing.',
    labelNames: ['state'],
    registers,
    async collect() {
      const active = await read('active runs', sources.stats.activeRuns());
      if (active === undefined) return;
      const byState = new Map([
        ['pending', 0],
        ['executing', 0],
      ]);
      for (const [status, count] of active) {
        const state = RUN_STATES[status] ?? 'pending';
        byState.set(state, (byState.get(state) ?? 0) + count);
      }
      for (const [state, count] of byState) this.set({ state }, count);
    },
  });
  new Gauge({
    name: 'fluxi_queue_depth',
    help: 'Executor queue jobs per pool: waiting for an executor, delayed (retry backoff), active (taken).',
    labelNames: ['pool', 'state'],
    registers,
    async collect() {
      const depths = await read('queue depth', sources.queue.depths());
      if (depths === undefined) return;
      this.reset();
      for (const [pool, depth] of depths) {
        this.set({ pool, state: 'waiting' }, depth.waiting);
        this.set({ pool, state: 'delayed' }, depth.delayed);
        this.set({ pool, state: 'active' }, depth.active);
      }
    },
  });
  new Gauge({
    name: 'fluxi_job_runs_queued',
    help: 'Job runs QUEUED in the scheduler per pool: in an executor queue or held back by a pool or job limit.',
    labelNames: ['pool'],
    registers,
    async collect() {
      const queued = await read('queued job runs', sources.stats.queuedJobRuns());
      if (queued === undefined) return;
      this.reset();
      for (const [pool, count] of queued) this.set({ pool }, count);
    },
  });
  const executors = (() => {
    let last: Promise<ObservedExecutor[] | undefined> | undefined;
    // One registry read per scrape for the three gauges below.
    return () => {
      last ??= read('executors', sources.executors.list()).finally(() => setTimeout(() => (last = undefined), 500));
      return last;
    };
  })();
  new Gauge({
    name: 'fluxi_cicd_workers',
    help: 'Executors in the registry (OTel cicd.worker.count), by pool and state: available, busy, draining, offline (lost).',
    labelNames: ['pool', 'state'],
    registers,
    async collect() {
      const list = await executors();
      if (list === undefined) return;
      this.reset();
      for (const { info, state } of list) this.inc({ pool: info.pool, state: workerState(state) });
    },
  });
  new Gauge({
    name: 'fluxi_pool_jobs_running',
    help: 'Attempts running on the live executors of each pool.',
    labelNames: ['pool'],
    registers,
    async collect() {
      const list = await executors();
      if (list === undefined) return;
      this.reset();
      for (const { info, state } of list) {
        if (state !== ExecutorState.LOST) this.inc({ pool: info.pool }, info.running.length);
      }
    },
  });
  new Gauge({
    name: 'fluxi_pool_job_capacity',
    help: 'Attempts the live executors of each pool can run at once (their concurrency); utilisation = running / capacity.',
    labelNames: ['pool'],
    registers,
    async collect() {
      const list = await executors();
      if (list === undefined) return;
      this.reset();
      for (const { info, state } of list) {
        if (state !== ExecutorState.LOST) this.inc({ pool: info.pool }, info.capacity);
      }
    },
  });
  return new Histogram({
    name: 'fluxi_schedule_fire_lag_seconds',
    help: 'Time from a schedule occurrence planned time to the trigger of its run (the leader scheduler).',
    buckets: LATENCY_BUCKETS,
    registers,
  });
}

async function bounded<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
