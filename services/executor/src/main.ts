import 'reflect-metadata';
import { hostname } from 'node:os';
import { NestFactory } from '@nestjs/core';
import { serviceRegistry, type RunningService, type ServiceOptions, type StopOptions } from '@fluxi/common';
import { connectNats, openExecutorRegistry } from '@fluxi/messaging';
import { AppModule } from './app.module.js';
import { ActiveAttempts } from './run/active-attempts.js';
import { killLeftoverGroups } from './drivers/group-guard.js';
import { setAsideLeftovers, sweepWorkFolders } from './run/workdir.js';
import { listenForCommands } from './transport/command-listener.js';
import { ExecuteWorker } from './transport/execute-worker.js';
import { registerHostMetrics } from './transport/host-metrics.js';
import { registerSlotMetrics, startMetricsServer, type MetricsServer } from './transport/metrics-server.js';
import { driversOf, executorName, RegistryHeartbeat, runningGroupsDir } from './transport/registry-heartbeat.js';

export interface ExecutorOptions extends ServiceOptions {
  /** How long stop() lets running jobs finish before killing their process groups (default executor.shutdownGraceSec). */
  shutdownGraceMs?: number;
  /** How long stop() then waits for killed jobs to publish their finish (default 10 s). */
  publishGraceMs?: number;
  /** How long one JetStream publish waits for its ack before it is retried (default 5 s). */
  publishTimeoutMs?: number;
  /** How long a request to the scheduler (context resolution) waits for its answer (default 5 s). */
  requestTimeoutMs?: number;
}

export interface RunningExecutor extends RunningService {
  /** hostname:pid, as sent in `started` events. */
  readonly executorId: string;
  /** Its metrics listener (`executor.metrics`): `${metricsUrl}/metrics`. */
  readonly metricsUrl: string;
  /** Job-run ids of the attempts running now. */
  activeJobs(): string[];
  /** Takes no new job (as an admin's drainExecutor does); running ones go on. */
  drain(): void;
  /** Takes jobs again after drain(). */
  resume(): Promise<void>;
}

/** Variables a shell job inherits from the executor's own environment. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG'] as const;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Starts the executor: kills the job process groups a previous life of it left, connects
 * NATS, registers in the executor registry (heartbeats), then runs the BullMQ worker of
 * `config.executor.pool` and follows drain/resume commands.
 */
export async function start(options: ExecutorOptions): Promise<RunningExecutor> {
  const logger = options.logger.child({ service: 'executor' });
  const { config } = options;
  const executorId = `${hostname()}:${process.pid}`;
  // Before anything of this life runs: what is recorded there belongs to a dead executor.
  await killLeftoverGroups(runningGroupsDir(config), logger);
  // Work folders of attempts no live executor runs (it died mid-job), set aside before the first
  // job of this life; then those and the ones a previous life moved aside are deleted (in the background).
  const leftovers = await setAsideLeftovers(config.dataDir).catch((error: unknown) => {
    logger.warn({ err: error }, 'could not set aside the work folders a stopped executor left');
    return 0;
  });
  if (leftovers > 0) logger.info({ folders: leftovers }, 'work folders of attempts a stopped executor ran: deleting');
  void sweepWorkFolders(config.dataDir).then(
    (count) => count > 0 && logger.info({ folders: count }, 'deleted work folders a previous executor left'),
    (error: unknown) => logger.warn({ err: error }, 'could not sweep the work folders'),
  );
  const nats = await connectNats(options.natsUrl, `fluxi-executor-${config.executor.pool}`, logger, config.nats);
  const registry = await openExecutorRegistry(nats).catch(async (error: unknown) => {
    await nats.close();
    throw error;
  });
  let worker: ExecuteWorker | undefined;
  let active: ActiveAttempts | undefined;
  const heartbeat = new RegistryHeartbeat({
    registry,
    nats,
    identity: {
      id: executorId,
      name: executorName(config),
      pool: config.executor.pool,
      tags: config.executor.tags,
      capacity: config.executor.concurrency,
    },
    heartbeatMs: config.executor.heartbeatSec * 1000,
    status: () => ({
      draining: worker?.draining ?? false,
      pausedReason: worker?.pausedReason,
      running: active?.list() ?? [],
      drivers: driversOf(config),
    }),
    logger,
  });
  let metricsServer: MetricsServer | undefined;
  try {
    const metrics = serviceRegistry('executor', options.metrics);
    metrics.setDefaultLabels({ service: 'executor', executor: executorName(config) });
    registerHostMetrics(metrics, config.dataDir);
    registerSlotMetrics(metrics, () => active?.list().length ?? 0, config.executor.concurrency);
    metricsServer = await startMetricsServer(metrics, { ...config.executor.metrics, logger });
    logger.info({ url: `${metricsServer.url}/metrics` }, 'executor metrics listening');
    const openMetrics = metricsServer;
    // Registered before the worker takes a job: the scheduler finds whoever holds an attempt.
    await heartbeat.start();
    const app = await NestFactory.createApplicationContext(
      AppModule.forRoot({
        deps: {
          config,
          redisUrl: options.redisUrl,
          logger,
          nats,
          executorId,
          shutdownGraceMs: options.shutdownGraceMs ?? config.executor.shutdownGraceSec * 1000,
          publishGraceMs: options.publishGraceMs ?? 10_000,
          publishTimeoutMs: options.publishTimeoutMs ?? 5000,
          requestTimeoutMs: options.requestTimeoutMs ?? 5000,
        },
        baseEnv: inheritedEnv(),
      }),
      { logger: false },
    );
    const running = app.get(ExecuteWorker);
    worker = running;
    active = app.get(ActiveAttempts);
    // The first admission check ran with the worker's start: the entry says what it found at once.
    running.onHostChange(() => void heartbeat.beat());
    void heartbeat.beat();
    const commands = await listenForCommands({
      nats,
      executorId,
      target: running,
      applied: () => void heartbeat.beat(),
      logger,
    });
    let stopping: Promise<void> | undefined;
    return {
      name: 'executor',
      executorId,
      metricsUrl: openMetrics.url,
      activeJobs: () => running.activeJobs(),
      drain: () => {
        running.drain();
        void heartbeat.beat();
      },
      resume: async () => {
        await running.resume();
        await heartbeat.beat();
      },
      stop(stopOptions?: StopOptions) {
        stopping ??= (async () => {
          // Drain, then stop: the heartbeats say draining until the running jobs are done.
          const shutdown = running.shutdown(stopOptions);
          void heartbeat.beat();
          await shutdown;
          await commands.stop();
          await heartbeat.stop();
          await app.close();
          await openMetrics.close();
          await nats.close();
          logger.info('executor stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
    await heartbeat.stop();
    await metricsServer?.close();
    await nats.close();
    throw error;
  }
}

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: DEFAULT_PATH };
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
