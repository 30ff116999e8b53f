import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { stoppingLine, type DriverResult } from '../domain/outcome.js';
import type { Driver, DriverContext, DriverTask, OutputSink } from './driver.js';
import { waitClosed } from './pipes.js';
import { ProcessGroup } from './process-group.js';

export interface ShellDriverOptions {
  /** Seconds between SIGTERM and SIGKILL when the job's process group is stopped. */
  killGraceSec: number;
  /** Variables every job gets from the executor (PATH, HOME, LANG). */
  baseEnv: Record<string, string>;
  /** How long output pipes may stay open after the command exited before the group is killed. */
  drainCapMs?: number;
}

/** Longest delay setTimeout accepts (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs a job's command with /bin/sh -c in its own process group (detached), in
 * the work folder the runner prepared, so a timeout, a cancel or a shutdown stops
 * the command and everything it started.
 */
export class ShellDriver implements Driver {
  readonly name = 'shell';
  private readonly drainCapMs: number;

  constructor(private readonly options: ShellDriverOptions) {
    this.drainCapMs = options.drainCapMs ?? 2000;
  }

  async run(task: DriverTask, context: DriverContext): Promise<DriverResult> {
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
      const reason = `could not start /bin/sh: ${spawnError?.message ?? 'no pid'}`;
      context.output.system(reason);
      return { kind: 'infrastructure', reason };
    }
    const pipes = [child.stdout, child.stderr].filter((pipe): pipe is Readable => pipe !== null);
    context.output.attach('stdout', child.stdout as Readable);
    context.output.attach('stderr', child.stderr as Readable);
    context.onStarted(child.pid);

    const group = new ProcessGroup(child.pid);
    const graceMs = this.options.killGraceSec * 1000;
    let stoppedBy: DriverResult | undefined;
    const stopWith = (result: DriverResult, line: string) => {
      if (stoppedBy !== undefined) return;
      stoppedBy = result;
      context.output.system(line);
      void group.stop(graceMs);
    };
    const timer = setTimeout(
      () =>
        stopWith(
          { kind: 'timedOut', timeoutSec: task.timeoutSec },
          `timed out after ${task.timeoutSec}s: stopping the job's processes (SIGTERM, SIGKILL after ${this.options.killGraceSec}s)`,
        ),
      Math.min(task.timeoutSec * 1000, MAX_TIMER_MS),
    );
    const stopListener = context.stop.onStop((request) =>
      stopWith(request, stoppingLine(request, this.options.killGraceSec)),
    );

    const exit = await exited;
    clearTimeout(timer);
    stopListener();
    await this.drain(child, closed, pipes, group, context.output);
    if (stoppedBy === undefined && (await group.alive())) {
      context.output.system('stopping processes the job left running');
    }
    await group.stop(graceMs);
    if (stoppedBy !== undefined) return stoppedBy;
    if (exit.code !== null) return { kind: 'exited', exitCode: exit.code };
    return { kind: 'signaled', signal: exit.signal ?? 'unknown' };
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
    return {
      ...this.options.baseEnv,
      ...task.env,
      FLUXI_JOB_RUN_ID: task.jobRunId,
      FLUXI_PIPELINE_RUN_ID: task.pipelineRunId,
      FLUXI_ATTEMPT: String(task.attempt),
    };
  }
}
