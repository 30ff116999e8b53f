import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { canConnect, freePort, type Logger } from '@fluxi/common';
import { stopChild } from './child-stop.js';
import { guardChild } from './guard.js';
import { restartDelayMs } from './restart-delay.js';

export interface LocalServer {
  readonly name: string;
  readonly url: string;
  /** How many times the server died and was started again. */
  readonly restarts: number;
  stop(): Promise<void>;
}

interface ServerSpec {
  name: 'nats-server' | 'redis-server';
  dir: string;
  args: (port: number, dir: string) => string[];
  scheme: string;
  urlVariable: string;
}

/** How long a stopping server may take before it is killed. */
const STOP_GRACE_MS = 5000;

const NATS: Omit<ServerSpec, 'dir'> = {
  name: 'nats-server',
  scheme: 'nats',
  urlVariable: 'NATS_URL',
  // JetStream store under the data dir: events and log chunks survive a restart.
  args: (port, dir) => ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir],
};

const REDIS: Omit<ServerSpec, 'dir'> = {
  name: 'redis-server',
  scheme: 'redis',
  urlVariable: 'REDIS_URL',
  // Append-only file under the data dir: queued work survives a restart.
  args: (port, dir) => [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--protected-mode',
    'no',
  ],
};

export const startLocalNats = (dataDir: string, logger: Logger) =>
  startLocalServer({ ...NATS, dir: join(dataDir, 'nats') }, logger);
export const startLocalRedis = (dataDir: string, logger: Logger) =>
  startLocalServer({ ...REDIS, dir: join(dataDir, 'redis') }, logger);

/**
 * Starts a server binary from PATH on a free port with its data under `dir`, and
 * supervises it: when it dies it is started again on the same port and store, with
 * a growing pause, so clients reconnect to the same URL and find their data. It
 * runs in a process group of its own (Ctrl-C in a terminal reaches only the
 * launcher, which stops it last) with a guard that stops it if the launcher dies.
 * A pid file lets the next start stop a server left behind all the same.
 */
async function startLocalServer(spec: ServerSpec, logger: Logger): Promise<LocalServer> {
  const dir = resolve(spec.dir);
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, `${spec.name}.pid`);
  await stopLeftover(pidFile, spec.name, logger);
  const port = await freePort();
  const url = `${spec.scheme}://127.0.0.1:${port}`;
  const log = logger.child({ server: spec.name, url });
  let stopping = false;
  let restarts = 0;
  let current = await launch(spec, port, dir, pidFile);
  log.info({ dir, pid: current.child.pid }, 'local server started');

  const watch = (running: Launched): void => {
    running.child.once('exit', (code, signal) => {
      running.guard.release();
      if (stopping) return;
      log.error({ code, signal }, `${spec.name} died; starting it again on the same port`);
      scheduleRestart();
    });
  };
  const scheduleRestart = (): void => {
    const delayMs = restartDelayMs(restarts);
    restarts += 1;
    setTimeout(() => {
      if (stopping) return;
      launch(spec, port, dir, pidFile).then(
        (next) => {
          if (stopping) return void stopChild(next.child, STOP_GRACE_MS).then(() => next.guard.release());
          current = next;
          log.warn({ pid: next.child.pid, restarts }, `${spec.name} started again`);
          watch(next);
        },
        (error: unknown) => {
          log.error({ err: error, restarts }, `could not start ${spec.name} again; trying later`);
          scheduleRestart();
        },
      );
    }, delayMs).unref();
  };
  watch(current);
  return {
    name: spec.name,
    url,
    get restarts() {
      return restarts;
    },
    stop: async () => {
      stopping = true;
      await stopChild(current.child, STOP_GRACE_MS);
      current.guard.release();
      rmSync(pidFile, { force: true });
    },
  };
}

interface Launched {
  child: ChildProcess;
  guard: { release(): void };
}

async function launch(spec: ServerSpec, port: number, dir: string, pidFile: string): Promise<Launched> {
  const child = spawn(spec.name, spec.args(port, dir), { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const spawnError = new Promise<Error>((res) => child.once('error', res));
  const ready = await Promise.race([waitForPort(port, child), spawnError]);
  if (ready instanceof Error || ready === false) {
    child.kill('SIGKILL');
    const why = ready instanceof Error ? ready.message : stderr.trim() || `not answering on port ${port}`;
    throw new Error(
      `could not start ${spec.name} (${why}). Install it (Debian: apt-get install ${spec.name}) or set ${spec.urlVariable}.`,
    );
  }
  // Its output is not read any more: an unread pipe must not block it.
  child.stderr?.removeAllListeners('data').resume();
  writeFileSync(pidFile, String(child.pid));
  return { child, guard: guardChild(child.pid as number) };
}

async function stopLeftover(pidFile: string, name: string, logger: Logger): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0 || !isProcess(pid, name)) return;
  logger.warn({ pid, server: name }, 'stopping a server left behind by an earlier run');
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isProcess(pid, name); i++) await sleep(100);
  if (isProcess(pid, name)) process.kill(pid, 'SIGKILL');
}

function isProcess(pid: number, name: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(name);
  } catch {
    return false;
  }
}

async function waitForPort(port: number, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (await canConnect(port)) return true;
    await sleep(50);
  }
  return false;
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
