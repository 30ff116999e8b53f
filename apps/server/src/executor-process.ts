import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FluxiConfig, Logger, MetricsHub, MetricsJson, RunningService } from '@fluxi/common';
import { stopChild } from './child-stop.js';
import { restartDelayMs } from './restart-delay.js';
import { stopBounds } from './stop-bounds.js';

/** Message the child sends on its IPC channel once its services run. */
export const READY_MESSAGE = 'fluxi:ready';
/** Message the child sends before READY_MESSAGE: where its executor serves its metrics. */
export const METRICS_MESSAGE = 'fluxi:metrics';

/** How long the launcher waits for the executor process's metrics when the gateway is scraped. */
const METRICS_READ_MS = 2000;

const BIN = new URL('./bin.js', import.meta.url).pathname;
const CONFIG_ENV = /^(FLUXI_|DATABASE_URL$|NATS_URL$|REDIS_URL$|CLICKHOUSE_URL$)/;
/**
 * V8's young generation capped at 2 MB per semi-space (16 MB by default): the executor process
 * allocates little that lives long, so more frequent scavenges cost nothing noticeable, and it
 * keeps about 25 MB less resident. It bounds no heap, so it cannot cause an out-of-memory error.
 */
const EXECUTOR_NODE_FLAGS = ['--max-semi-space-size=2'];

/**
 * Runs the executor in a child process of its own (`fluxi-server --target executor`).
 * Jobs are spawned from a small process instead of the one holding PGlite and chDB,
 * where every fork copies a large address space, and a crash in a job's handling
 * cannot take the other services down. The child gets the resolved configuration
 * as a file, stops when asked (SIGTERM) and on its own when this process goes away.
 */
export async function startExecutorProcess(
  config: FluxiConfig,
  servers: { natsUrl: string; redisUrl: string },
  logger: Logger,
  metrics?: MetricsHub,
): Promise<RunningService> {
  let metricsUrl: string | undefined;
  const graceMs = stopBounds(config).executorProcessMs;
  const runDir = resolve(config.dataDir, 'run');
  mkdirSync(runDir, { recursive: true });
  const file = join(runDir, 'executor.config.json');
  const childConfig: FluxiConfig = {
    ...config,
    nats: { ...config.nats, url: servers.natsUrl },
    redis: { ...config.redis, url: servers.redisUrl },
  };
  writeFileSync(file, JSON.stringify(childConfig, null, 2), { mode: 0o600 });
  // The file holds the resolved values: configuration variables would override it.
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !CONFIG_ENV.test(name))),
    // Two glibc malloc arenas, not one per thread that allocated, and fixed mmap/trim thresholds
    // (see the Dockerfile); unless set.
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
    MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '131072',
    MALLOC_TRIM_THRESHOLD_: process.env.MALLOC_TRIM_THRESHOLD_ ?? '131072',
  };
  const launch = async (): Promise<ChildProcess> => {
    const child = fork(BIN, ['--target', 'executor', '--config', file], {
      env,
      execArgv: EXECUTOR_NODE_FLAGS,
      // Its own process group: Ctrl-C in a terminal reaches the launcher, which stops the child in order.
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    metricsUrl = await waitReady(child);
    logger.info({ pid: child.pid, metrics: metricsUrl }, 'executor process started');
    return child;
  };
  let stopping = false;
  let restarts = 0;
  let current = await launch();
  // A supervisor: an executor process that dies is started again, with a growing pause
  // (BullMQ hands the jobs it held to the next worker once their locks expire).
  const scheduleRestart = (): void => {
    const delayMs = restartDelayMs(restarts);
    restarts += 1;
    setTimeout(() => {
      if (stopping) return;
      launch().then(
        (next) => {
          if (stopping) return void stopChild(next, graceMs);
          current = next;
          watch(next);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'could not start the executor process');
          scheduleRestart();
        },
      );
    }, delayMs).unref();
  };
  const watch = (child: ChildProcess): void => {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      logger.error({ code, signal }, 'the executor process died; starting it again');
      scheduleRestart();
    });
  };
  watch(current);
  // The gateway's merged /metrics includes the executor process's own (its process metrics left out).
  metrics?.addRemote('executor', async () => {
    if (metricsUrl === undefined) return [];
    const response = await fetch(`${metricsUrl}/metrics/json`, { signal: AbortSignal.timeout(METRICS_READ_MS) });
    if (!response.ok) throw new Error(`executor metrics answered ${response.status}`);
    return (await response.json()) as MetricsJson;
  });
  return {
    name: 'executor',
    get metricsUrl() {
      return metricsUrl;
    },
    stop: async () => {
      stopping = true;
      await stopChild(current, graceMs);
    },
  };
}

/** Resolves once the child is ready, with the metrics URL it announced (if any). */
function waitReady(child: ChildProcess): Promise<string | undefined> {
  let metricsUrl: string | undefined;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the executor process did not start within 60 s'));
    }, 60_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`the executor process exited during start (code ${code ?? 'none'})`));
    };
    child.once('exit', onExit);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('message', (message) => {
      if (isMetricsMessage(message)) metricsUrl = message.url;
      if (message !== READY_MESSAGE) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolvePromise(metricsUrl);
    });
  });
}

function isMetricsMessage(message: unknown): message is { type: typeof METRICS_MESSAGE; url: string } {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === METRICS_MESSAGE &&
    typeof (message as { url?: unknown }).url === 'string'
  );
}
