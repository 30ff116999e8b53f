import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fluxiEnv } from '../domain/job-env.js';
import type { TaskExit } from '../domain/outcome.js';
import {
  StartFailure,
  type Driver,
  type DriverIo,
  type DriverTask,
  type OutputSink,
  type RunningTask,
} from './driver.js';
import type { GroupGuard } from './group-guard.js';
import { waitClosed } from './pipes.js';
import { loadPosixSpawn, type SpawnShell } from './posix-spawn.js';
import { ProcessGroup } from './process-group.js';

/** A started /bin/sh, however it was started. */
interface ShellProcess {
  pid: number;
  stdout: Readable;
  stderr: Readable;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The exit, and every output pipe closed. */
  closed: Promise<void>;
  unref(): void;
}

/** A NUL byte cannot cross into C strings: Node's spawn refuses such a job with its own error. */
const holdsNul = (...texts: (string | Record<string, string>)[]): boolean =>
  texts.some((text) =>
    typeof text === 'string'
      ? text.includes('\0')
      : Object.entries(text).some(([k, v]) => k.includes('\0') || v.includes('\0')),
  );

export interface ShellDriverOptions {
  /** Variables every job gets from the executor (PATH, HOME, LANG). */
  baseEnv: Record<string, string>;
  /** How long output pipes may stay open after the command exited before the group is killed. */
  drainCapMs?: number;
  /** Keeps each job's process group from outliving the executor (released once the attempt is over). */
  guard?: GroupGuard;
  /** Start jobs through posix_spawn (posix-spawn.ts) when it can be had; default true. */
  posixSpawn?: boolean;
}

/**
 * Runs a job's command with /bin/sh -c in its own process group (detached), in
 * the work folder the runner prepared, so a stop reaches the command and
 * everything it started.
 */
export class ShellDriver implements Driver {
  readonly name = 'shell';
  private readonly drainCapMs: number;

  private readonly spawnShell: SpawnShell | undefined;
  /** Why jobs start with Node's spawn; undefined when they start with posix_spawn. */
  readonly nodeSpawnReason: string | undefined;

  constructor(private readonly options: ShellDriverOptions) {
    this.drainCapMs = options.drainCapMs ?? 2000;
    const loaded = options.posixSpawn === false ? { unavailable: 'executor.posixSpawn is false' } : loadPosixSpawn();
    this.spawnShell = typeof loaded === 'function' ? loaded : undefined;
    this.nodeSpawnReason = typeof loaded === 'function' ? undefined : loaded.unavailable;
  }

  /** How jobs start here: `posix_spawn`, or Node's `spawn` (`nodeSpawnReason` says why). */
  get spawnMethod(): string {
    return this.spawnShell !== undefined ? 'posix_spawn' : 'node';
  }

  async start(task: DriverTask, io: DriverIo): Promise<RunningTask> {
    const child = await this.spawn(task);
    const { exited, closed } = child;
    const pipes = [child.stdout, child.stderr];
    io.output.attach('stdout', child.stdout);
    io.output.attach('stderr', child.stderr);
    const group = new ProcessGroup(child.pid);
    const guarded = this.options.guard?.guardGroup(child.pid);
    let ended: Promise<TaskExit> | undefined;
    return {
      pid: child.pid,
      wait: () =>
        (ended ??= (async (): Promise<TaskExit> => {
          const exit = await exited;
          await this.drain(child, closed, pipes, group, io.output);
          if (exit.code !== null) return { kind: 'exited', exitCode: exit.code };
          return { kind: 'signaled', signal: exit.signal ?? 'unknown' };
        })()),
      alive: () => group.alive(),
      kill: async (signal) => void group.signal(signal),
      release: async () => guarded?.release(),
    };
  }

  /**
   * Reads the output to its end. A background process still holding a pipe open
   * after the command exited gets `drainCapMs`, then the group is killed; if a
   * pipe is still open after that (a process escaped the group), it is closed.
   */
  private async drain(
    child: ShellProcess,
    closed: Promise<void>,
    pipes: Readable[],
    group: ProcessGroup,
    output: OutputSink,
  ): Promise<void> {
    if (await waitClosed(closed, pipes, this.drainCapMs)) return;
    output.system(
      `output still open ${this.drainCapMs / 1000}s after the command exited: killing the job's remaining processes`,
    );
    group.signal('SIGKILL');
    if (await waitClosed(closed, pipes, this.drainCapMs)) return;
    output.system('output still held open by a process outside the job: closing it');
    for (const pipe of pipes) pipe.destroy();
    child.unref();
  }

  /** The job's /bin/sh: through posix_spawn when it can be had, else Node's spawn. */
  private async spawn(task: DriverTask): Promise<ShellProcess> {
    const env = this.environment(task);
    if (this.spawnShell !== undefined && !holdsNul(task.command, task.workdir, env)) {
      try {
        return { ...this.spawnShell(task.command, task.workdir, env), unref: () => undefined };
      } catch (error) {
        throw new StartFailure(`could not start /bin/sh: ${(error as Error).message}`);
      }
    }
    const child = spawn('/bin/sh', ['-c', task.command], {
      cwd: task.workdir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const spawnError = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', resolve);
    });
    if (spawnError !== undefined || child.pid === undefined) {
      throw new StartFailure(`could not start /bin/sh: ${spawnError?.message ?? 'no pid'}`);
    }
    return {
      pid: child.pid,
      stdout: child.stdout as Readable,
      stderr: child.stderr as Readable,
      exited,
      closed,
      unref: () => child.unref(),
    };
  }

  private environment(task: DriverTask): Record<string, string> {
    return { ...this.options.baseEnv, ...task.env, ...fluxiEnv(task) };
  }
}
