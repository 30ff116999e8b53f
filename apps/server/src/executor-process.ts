import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FluxiConfig, Logger, RunningService } from '@fluxi/common';
import { stopChild } from './child-stop.js';
import { restartDelayMs } from './restart-delay.js';
import { stopBounds } from './stop-bounds.js';

/** Message the child sends on its IPC channel once its services run. */
export const READY_MESSAGE = 'fluxi:ready';

const BIN = new URL('./bin.js', import.meta.url).pathname;
const CONFIG_ENV = /^(FLUXI_|DATABASE_URL$|NATS_URL$|REDIS_URL$|CLICKHOUSE_URL$)/;

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
): Promise<RunningService> {
  const graceMs = stopBounds(config).executorProcessMs;
  const runDir = resolve(config.dataDir, 'run');
  mkdirSync(runDir, { recursive: true });
  const file = join(runDir, 'executor.config.json');
  const childConfig: FluxiConfig = {
    ...config,
    nats: { url: servers.natsUrl },
    redis: { ...config.redis, url: servers.redisUrl },
  };
  writeFileSync(file, JSON.stringify(childConfig, null, 2), { mode: 0o600 });
  // The file holds the resolved values: configuration variables would override it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CONFIG_ENV.test(name)));
  const launch = async (): Promise<ChildProcess> => {
    const child = fork(BIN, ['--target', 'executor', '--config', file], {
      env,
      execArgv: [],
      // Its own process group: Ctrl-C in a terminal reaches the launcher, which stops the child in order.
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await waitReady(child);
    logger.info({ pid: child.pid }, 'executor process started');
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
  return {
    name: 'executor',
    stop: async () => {
      stopping = true;
      await stopChild(current, graceMs);
    },
  };
}

function waitReady(child: ChildProcess): Promise<void> {
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
      if (message !== READY_MESSAGE) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolvePromise();
    });
  });
}
