import 'reflect-metadata';
import { hostname } from 'node:os';
import { NestFactory } from '@nestjs/core';
import type { RunningService, ServiceOptions, StopOptions } from '@fluxi/common';
import { connectNats } from '@fluxi/messaging';
import { AppModule } from './app.module.js';
import { ExecuteWorker } from './transport/execute-worker.js';

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
  /** Job-run ids of the attempts running now. */
  activeJobs(): string[];
}

/** Variables a shell job inherits from the executor's own environment. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG'] as const;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Starts the executor: connects NATS, then runs the BullMQ worker of `config.executor.pool`. */
export async function start(options: ExecutorOptions): Promise<RunningExecutor> {
  const logger = options.logger.child({ service: 'executor' });
  const executorId = `${hostname()}:${process.pid}`;
  const nats = await connectNats(options.natsUrl, `fluxi-executor-${options.config.executor.pool}`, logger);
  try {
    const app = await NestFactory.createApplicationContext(
      AppModule.forRoot({
        deps: {
          config: options.config,
          redisUrl: options.redisUrl,
          logger,
          nats,
          executorId,
          shutdownGraceMs: options.shutdownGraceMs ?? options.config.executor.shutdownGraceSec * 1000,
          publishGraceMs: options.publishGraceMs ?? 10_000,
          publishTimeoutMs: options.publishTimeoutMs ?? 5000,
          requestTimeoutMs: options.requestTimeoutMs ?? 5000,
        },
        baseEnv: inheritedEnv(),
      }),
      { logger: false },
    );
    const worker = app.get(ExecuteWorker);
    let stopping: Promise<void> | undefined;
    return {
      name: 'executor',
      executorId,
      activeJobs: () => worker.activeJobs(),
      stop(stopOptions?: StopOptions) {
        stopping ??= (async () => {
          await worker.shutdown(stopOptions);
          await app.close();
          await nats.close();
          logger.info('executor stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
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
