import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { engineRequest, pingEngine, socketPathOf } from './docker-api.js';
import { killAll, processesUnder, removeEngineDir } from './docker-teardown.js';

export { ensureTestImage, importRootfs, TEST_IMAGE, writeBusyboxRootfs } from './docker-image.js';
export { engineRequest, pingEngine, type EngineReply } from './docker-api.js';

export interface TestDocker {
  socketPath: string;
  /** DOCKER_HOST value */
  host: string;
  /** The private dockerd's pid; undefined for an engine given by FLUXI_TEST_DOCKER_HOST. */
  pid: number | undefined;
  /**
   * Stops the engine (running containers killed, then SIGTERM, SIGKILL after 10 s) and
   * removes its folder; does nothing for an external engine.
   */
  stop(): Promise<void>;
}

export interface TestDockerOptions {
  /**
   * `vfs` (default: works everywhere, but every layer and every container is a full
   * copy, fine for small test images), `overlay2`, or `fastest`: overlay2 where an
   * overlay mount works in /tmp (not on overlayfs itself, e.g. inside a container), vfs
   * otherwise. Big images (building the Fluxi image) want `fastest`.
   */
  storageDriver?: 'vfs' | 'overlay2' | 'fastest';
}

/** Grace between SIGTERM and SIGKILL of dockerd. */
const STOP_GRACE_MS = 10_000;
/** Bound on dockerd answering `_ping` after its start. */
const START_TIMEOUT_MS = 60_000;

/**
 * Starts a private dockerd (temp data/exec roots, socket under /tmp, no bridge, no
 * iptables, vfs storage unless `options.storageDriver` says otherwise), waits until it
 * answers `_ping`; returns `{ skipped }` with a reason when no engine can start here (no
 * dockerd binary, not root, dockerd failing at start). FLUXI_TEST_DOCKER_HOST=unix:///… uses an existing engine instead (never
 * stopped). FLUXI_TEST_DOCKER=0 skips; FLUXI_TEST_DOCKER=1 (CI) turns every reason to
 * skip into an error, so Docker tests cannot be skipped silently.
 */
export async function startTestDocker(
  options: TestDockerOptions = {},
): Promise<{ docker: TestDocker } | { skipped: string }> {
  const existing = process.env['FLUXI_TEST_DOCKER_HOST'];
  if (existing) return { docker: await externalEngine(existing) };
  const mode = process.env['FLUXI_TEST_DOCKER'];
  if (mode === '0') return { skipped: 'FLUXI_TEST_DOCKER=0' };
  const skip = (reason: string) => {
    if (mode === '1') throw new Error(`Docker tests are required here (FLUXI_TEST_DOCKER=1) but ${reason}`);
    return { skipped: reason };
  };
  if (process.platform !== 'linux') return skip(`a private dockerd needs Linux (this is ${process.platform})`);
  if (process.getuid?.() !== 0) {
    return skip('a private dockerd needs root; run as root or set FLUXI_TEST_DOCKER_HOST=unix:///path/to/docker.sock');
  }
  const dockerd = findExecutable('dockerd');
  if (!dockerd) return skip('no dockerd binary on this machine (Debian: apt-get install docker.io)');
  const driver = options.storageDriver === 'fastest' ? await fastestStorageDriver() : (options.storageDriver ?? 'vfs');
  try {
    return { docker: await startDockerd(dockerd, driver) };
  } catch (error) {
    return skip(error instanceof Error ? error.message : String(error));
  }
}

async function externalEngine(host: string): Promise<TestDocker> {
  const socketPath = socketPathOf(host, 'FLUXI_TEST_DOCKER_HOST');
  if (!(await pingEngine(socketPath))) {
    throw new Error(`FLUXI_TEST_DOCKER_HOST=${host}: no Docker engine answers _ping on ${socketPath}`);
  }
  return { socketPath, host, pid: undefined, stop: async () => undefined };
}

/** Where dockerd, containerd and runc are looked for besides PATH (sbin is often missing from PATH). */
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function searchPath(): string {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter(Boolean);
  return [...new Set([...dirs, ...SYSTEM_DIRS])].join(delimiter);
}

function findExecutable(name: string): string | undefined {
  for (const dir of searchPath().split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function startDockerd(binary: string, storageDriver: string): Promise<TestDocker> {
  // One folder per engine under /tmp (unix socket paths must stay short): mkdtemp makes
  // names unique across concurrent test files; everything of this engine lives inside.
  const dir = mkdtempSync('/tmp/fluxi-dockerd-');
  const socketPath = join(dir, 'docker.sock');
  const namespace = `fluxi-test-${dir.slice(-6).toLowerCase()}`;
  writeFileSync(join(dir, 'daemon.json'), '{}\n');
  const log = openSync(join(dir, 'dockerd.log'), 'a');
  const args = [
    '--iptables=false',
    '--ip6tables=false',
    '--bridge=none',
    '--userland-proxy=false',
    `--storage-driver=${storageDriver}`,
    `--host=unix://${socketPath}`,
    `--data-root=${join(dir, 'data')}`,
    `--exec-root=${join(dir, 'exec')}`,
    `--pidfile=${join(dir, 'dockerd.pid')}`,
    // Not the machine's /etc/docker/daemon.json, and containerd names of its own in case
    // dockerd joins a system containerd.
    `--config-file=${join(dir, 'daemon.json')}`,
    `--containerd-namespace=${namespace}`,
    `--containerd-plugins-namespace=${namespace}-plugins`,
    // Running containers get 2 s on stop, well inside the 10 s stop bound.
    '--shutdown-timeout=2',
  ];
  let child: ChildProcess;
  try {
    child = spawn(binary, args, { stdio: ['ignore', log, log], env: { ...process.env, PATH: searchPath() } });
  } finally {
    closeSync(log);
  }
  let failed: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      failed = error;
      resolve();
    });
  });
  const guard = child.pid === undefined ? undefined : guardEngine(child.pid, dir);
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopEngine(socketPath, child, exited, dir, guard));
  try {
    // Not waitFor: a dockerd that exits at start must fail at once, not at the deadline.
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await pingEngine(socketPath, 1000))) {
      if (failed) throw failed;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`dockerd exited at start (${child.exitCode ?? child.signalCode}): ${logTail(dir)}`);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `dockerd did not answer _ping on ${socketPath} within ${START_TIMEOUT_MS / 1000} s: ${logTail(dir)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { socketPath, host: `unix://${socketPath}`, pid: child.pid, stop };
}

/** SIGKILLs every running container of the engine; gives up after 5 s (stop goes on without). */
async function killContainers(socketPath: string): Promise<void> {
  const kill = async () => {
    const reply = await engineRequest(socketPath, 'GET', '/containers/json', { timeoutMs: 5000 });
    if (reply.status !== 200) return;
    const running = JSON.parse(reply.body) as Array<{ Id: string }>;
    await Promise.all(
      running.map((container) =>
        engineRequest(socketPath, 'POST', `/containers/${container.Id}/kill`, { timeoutMs: 5000 }),
      ),
    );
  };
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([kill().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
  clearTimeout(timer);
}

async function stopEngine(
  socketPath: string,
  child: ChildProcess,
  exited: Promise<void>,
  dir: string,
  guard: { release(): void } | undefined,
): Promise<void> {
  guard?.release();
  if (child.exitCode === null && child.signalCode === null) {
    // dockerd gives running containers their stop timeout (10 s by default) on SIGTERM:
    // kill them first so the engine stops at once. A test's containers hold nothing to save.
    await killContainers(socketPath);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    // A process stuck in the kernel may not even die of SIGKILL: give up on it 5 s later.
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (giveUp = setTimeout(resolve, STOP_GRACE_MS + 5000)))]);
    clearTimeout(timer);
    clearTimeout(giveUp);
  }
  // After a SIGKILL (or a crash) the shims and their containers outlive dockerd.
  killAll(processesUnder(dir));
  await removeEngineDir(dir);
}

/** overlay2 when this kernel mounts an overlay in /tmp, else vfs. */
async function fastestStorageDriver(): Promise<'overlay2' | 'vfs'> {
  const dir = mkdtempSync('/tmp/fluxi-overlay-probe-');
  const [lower, upper, work, merged] = ['l', 'u', 'w', 'm'].map((name) => join(dir, name)) as [
    string,
    string,
    string,
    string,
  ];
  for (const folder of [lower, upper, work, merged]) mkdirSync(folder);
  const run = (command: string, args: string[]) =>
    new Promise<boolean>((resolve) => execFile(command, args, { timeout: 5000 }, (error) => resolve(!error)));
  try {
    const mounted = await run('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${lower},upperdir=${upper},workdir=${work}`,
      merged,
    ]);
    if (mounted) await run('umount', [merged]);
    return mounted ? 'overlay2' : 'vfs';
  } finally {
    await removeEngineDir(dir);
  }
}

/** The last error lines dockerd logged, for a start failure's message. */
function logTail(dir: string): string {
  let text = '';
  try {
    text = readFileSync(join(dir, 'dockerd.log'), 'utf8');
  } catch {
    return 'no log';
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const errors = lines.filter((line) => /level=(error|fatal)|^failed|^Error/i.test(line));
  return (errors.length > 0 ? errors : lines).slice(-3).join(' | ').slice(0, 1000) || 'no log';
}

/**
 * Stops dockerd and removes its folder if this process dies without calling stop()
 * (a worker killed at a timeout, Ctrl-C): a shell reads a pipe from this process,
 * which the kernel closes when it is gone. Same pattern as apps/server's guard.ts.
 */
function guardEngine(pid: number, dir: string): { release(): void } {
  const script = [
    'read -r _',
    `kill -TERM ${pid} 2>/dev/null`,
    'n=0',
    `while kill -0 ${pid} 2>/dev/null && [ $n -lt ${STOP_GRACE_MS / 100} ]; do sleep 0.1; n=$((n+1)); done`,
    `kill -KILL ${pid} 2>/dev/null`,
    `awk -v d='${dir}' '$5 == d || index($5, d "/") == 1 { print length($5), $5 }' /proc/self/mountinfo | sort -rn | while read -r _ m; do umount -l "$m"; done`,
    `rm -rf '${dir}'`,
  ].join('\n');
  const shell = spawn('/bin/sh', ['-c', script], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  shell.on('error', () => undefined);
  shell.stdin?.on('error', () => undefined);
  // Neither the guard nor its pipe keeps this process alive.
  shell.unref();
  (shell.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    release() {
      shell.kill('SIGKILL');
    },
  };
}
