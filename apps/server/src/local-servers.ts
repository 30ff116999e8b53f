import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { canConnect, freePort, type Logger } from '@fluxi/common';
import { stopChild } from './child-stop.js';

export interface LocalServer {
  readonly name: string;
  readonly url: string;
  stop(): Promise<void>;
}

interface ServerSpec {
  name: 'nats-server' | 'redis-server';
  dir: string;
  args: (port: number, dir: string) => string[];
  scheme: string;
}

const NATS: Omit<ServerSpec, 'dir'> = {
  name: 'nats-server',
  scheme: 'nats',
  // JetStream store under the data dir: events and log chunks survive a restart.
  args: (port, dir) => ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir],
};

const REDIS: Omit<ServerSpec, 'dir'> = {
  name: 'redis-server',
  scheme: 'redis',
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
 * Starts a server binary from PATH on a free port with its data under `dir`.
 * A pid file lets the next start stop a server left behind by a crashed launcher.
 */
async function startLocalServer(spec: ServerSpec, logger: Logger): Promise<LocalServer> {
  const dir = resolve(spec.dir);
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, `${spec.name}.pid`);
  await stopLeftover(pidFile, spec.name, logger);
  const port = await freePort();
  const child = spawn(spec.name, spec.args(port, dir), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const spawnError = new Promise<Error>((res) => child.once('error', res));
  const ready = await Promise.race([waitForPort(port, child), spawnError]);
  if (ready instanceof Error || ready === false) {
    child.kill('SIGKILL');
    const why = ready instanceof Error ? ready.message : stderr.trim();
    throw new Error(
      `could not start ${spec.name} (${why}). Install it (Debian: apt-get install ${spec.name === 'nats-server' ? 'nats-server' : 'redis-server'}) or set ${spec.name === 'nats-server' ? 'NATS_URL' : 'REDIS_URL'}.`,
    );
  }
  writeFileSync(pidFile, String(child.pid));
  const url = `${spec.scheme}://127.0.0.1:${port}`;
  logger.info({ server: spec.name, url, dir }, 'local server started');
  return {
    name: spec.name,
    url,
    stop: async () => {
      await stopChild(child, 10_000);
      rmSync(pidFile, { force: true });
    },
  };
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
    if (child.exitCode !== null) return false;
    if (await canConnect(port)) return true;
    await sleep(50);
  }
  return false;
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
