import { spawn, type ChildProcess } from 'node:child_process';
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
import { ProcessGroup } from './process-group.js';

export interface ShellDriverOptions {
  /** Variables every job gets from the executor (PATH, HOME, LANG). */
  baseEnv: Record<string, string>;
  /** How long output pipes may stay open after the command exited before the group is killed. */
  drainCapMs?: number;
  /** Keeps each job's process group from outliving the executor (released once the attempt is over). */
  guard?: GroupGuard;
}

/**
 * Runs a job's command with /bin/sh -c in its own process group (detached), in
 * the work folder the runner prepared, so a stop reaches the command and
 * everything it started.
 */
export class ShellDriver implements Driver {
  readonly name = 'shell';
  private readonly drainCapMs: number;

  constructor(private readonly options: ShellDriverOptions) {
    this.drainCapMs = options.drainCapMs ?? 2000;
  }

  async start(task: DriverTask, io: DriverIo): Promise<RunningTask> {
    const child = spawn('/bin/sh', ['-c', task.command], {
      cwd: task.workdir,
      env: this.environment(task),
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
    const pipes = [child.stdout, child.stderr].filter((pipe): pipe is Readable => pipe !== null);
    io.output.attach('stdout', child.stdout as Readable);
    io.output.attach('stderr', child.stderr as Readable);
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
    child: ChildProcess,
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

  private environment(task: DriverTask): Record<string, string> {
    return { ...this.options.baseEnv, ...task.env, ...fluxiEnv(task) };
  }
}
