import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { LEFT_RUNNING_LINE, type TaskExit } from '../domain/outcome.js';
import { containerOptions } from '../domain/container-options.js';
import {
  StartFailure,
  type Driver,
  type DriverIo,
  type DriverTask,
  type OutputSink,
  type RunningTask,
} from '../drivers/driver.js';
import { groupAlive } from '../drivers/process-group.js';
import { ShellDriver } from '../drivers/shell-driver.js';
import { runAttempt, type LifecycleOptions } from './attempt-lifecycle.js';
import { StopController } from './stop-controller.js';

const folder = mkdtempSync(join(tmpdir(), 'fluxi-lifecycle-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Keeps what a task writes, and the system lines, as text. */
class RecordingSink implements OutputSink {
  readonly system: (text: string) => void;
  readonly lines: string[] = [];
  readonly streams: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };

  constructor() {
    this.system = (text) => this.lines.push(text);
  }

  attach(stream: 'stdout' | 'stderr', readable: Readable): void {
    readable.on('data', (chunk: Buffer) => (this.streams[stream] += chunk.toString()));
  }
}

function task(command: string, env: Record<string, string> = {}): DriverTask {
  return {
    jobRunId: 'JR1',
    pipelineRunId: 'PR1',
    attempt: 1,
    jobId: 'J1',
    command,
    image: '',
    container: containerOptions(undefined),
    env,
    workdir: folder,
  };
}

const shell = new ShellDriver({ baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
const options: LifecycleOptions = { timeoutSec: 60, killGraceSec: 0.2 };

function run(driver: Driver, what: DriverTask, opts: LifecycleOptions = options, stop = new StopController()) {
  const output = new RecordingSink();
  const pids: number[] = [];
  const result = runAttempt(driver, what, opts, { output, stop, onStarted: (pid) => pids.push(pid) });
  return { output, pids, stop, result };
}

describe('runAttempt with the shell driver', () => {
  it('returns the exit code and reads the output to its end', async () => {
    const attempt = run(shell, task('echo out; echo err >&2; exit 4'));
    expect(await attempt.result).toEqual({ kind: 'exited', exitCode: 4 });
    expect(attempt.output.streams).toEqual({ stdout: 'out\n', stderr: 'err\n' });
    expect(attempt.output.lines).toEqual([]);
    expect(attempt.pids).toHaveLength(1);
    expect(attempt.pids[0]).toBeGreaterThan(0);
  });

  it('times out: one line, SIGTERM then SIGKILL after the grace, and the whole group gone', async () => {
    const attempt = run(shell, task('trap "" TERM; sleep 300 & sleep 300'), { timeoutSec: 0.3, killGraceSec: 0.2 });
    expect(await attempt.result).toEqual({ kind: 'timedOut', timeoutSec: 0.3 });
    expect(attempt.output.lines).toEqual([
      "timed out after 0.3s: stopping the job's processes (SIGTERM, SIGKILL after 0.2s)",
    ]);
    expect(await groupAlive(attempt.pids[0] ?? 0)).toBe(false);
  });

  it('lets the first stop win: a cancel while a timed-out task is still being stopped changes nothing', async () => {
    const stop = new StopController();
    // The task ignores SIGTERM, so it is still running through the grace after its timeout.
    const attempt = run(shell, task('trap "" TERM; sleep 300'), { timeoutSec: 0.2, killGraceSec: 1 }, stop);
    while (attempt.output.lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    stop.stop({ kind: 'cancelled', reason: 'by alice' });
    expect(await attempt.result).toEqual({ kind: 'timedOut', timeoutSec: 0.2 });
    expect(attempt.output.lines).toEqual([
      "timed out after 0.2s: stopping the job's processes (SIGTERM, SIGKILL after 1s)",
    ]);
  });

  it('does not start a task whose attempt was stopped before', async () => {
    const marker = join(folder, 'never');
    const stop = new StopController();
    stop.stop({ kind: 'stopped', reason: 'shutdown' });
    const attempt = run(shell, task('touch "$MARKER"', { MARKER: marker }), options, stop);
    expect(await attempt.result).toEqual({ kind: 'stopped', reason: 'shutdown' });
    expect(attempt.output.lines).toEqual(['the executor is stopping: the job was not started']);
    expect(attempt.pids).toEqual([]);
  });

  it('stops processes the command left running, and says so', async () => {
    const attempt = run(shell, task('sleep 300 >/dev/null 2>&1 &'));
    expect(await attempt.result).toEqual({ kind: 'exited', exitCode: 0 });
    expect(attempt.output.lines).toEqual([LEFT_RUNNING_LINE]);
    expect(await groupAlive(attempt.pids[0] ?? 0)).toBe(false);
  });
});

/**
 * A driver whose start and end the test controls, standing in for one that is
 * slow to start (a Docker pull), which no unit test can run for real.
 */
class ScriptedDriver implements Driver {
  readonly name = 'scripted';
  readonly signals: string[] = [];
  released: { failed: boolean } | undefined;
  private finish!: (exit: TaskExit) => void;
  private readonly exit = new Promise<TaskExit>((resolve) => (this.finish = resolve));
  private ended = false;

  constructor(private readonly startWith: (io: DriverIo) => Promise<void>) {}

  end(exit: TaskExit): void {
    this.ended = true;
    this.finish(exit);
  }

  async start(_task: DriverTask, io: DriverIo): Promise<RunningTask> {
    await this.startWith(io);
    return {
      pid: 7,
      wait: () => this.exit,
      alive: async () => !this.ended,
      kill: async (signal) => {
        this.signals.push(signal);
        // This task ignores SIGTERM and ends on SIGKILL.
        if (signal === 'SIGKILL') this.end({ kind: 'signaled', signal });
      },
      release: async (ending) => {
        this.released = ending;
      },
    };
  }
}

const aborted = (io: DriverIo) => new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve()));

describe('runAttempt around a driver', () => {
  it('ends a start given up on a cancel as that cancel, with one line', async () => {
    const driver = new ScriptedDriver(async (io) => {
      await aborted(io);
      throw new StartFailure('pull abandoned');
    });
    const stop = new StopController();
    const attempt = run(driver, task(''), options, stop);
    stop.stop({ kind: 'cancelled', reason: 'by bob' });
    expect(await attempt.result).toEqual({ kind: 'cancelled', reason: 'by bob' });
    expect(attempt.output.lines).toEqual([
      "cancelled: by bob; stopping the job's processes (SIGTERM, SIGKILL after 0.2s)",
    ]);
    expect(attempt.pids).toEqual([]);
  });

  it('stops a task that started after its stop was asked for: SIGTERM, then SIGKILL past the grace', async () => {
    const driver = new ScriptedDriver(aborted);
    const stop = new StopController();
    const attempt = run(driver, task(''), options, stop);
    stop.stop({ kind: 'stopped', reason: 'shutdown' });
    expect(await attempt.result).toEqual({ kind: 'stopped', reason: 'shutdown' });
    expect(driver.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(driver.released).toEqual({ failed: true });
  });

  it('writes the reason of a start failure, and of a task its driver lost', async () => {
    const failing = new ScriptedDriver(async () => {
      throw new StartFailure('image x cannot be had: not found', { line: 'image x cannot be had: not found (pulled)' });
    });
    const failed = run(failing, task(''));
    expect(await failed.result).toEqual({ kind: 'infrastructure', reason: 'image x cannot be had: not found' });
    expect(failed.output.lines).toEqual(['image x cannot be had: not found (pulled)']);

    const lost = new ScriptedDriver(async () => undefined);
    const attempt = run(lost, task(''));
    lost.end({ kind: 'infrastructure', reason: 'docker engine lost' });
    expect(await attempt.result).toEqual({ kind: 'infrastructure', reason: 'docker engine lost' });
    expect(attempt.output.lines).toEqual(['docker engine lost']);
    expect(lost.released).toEqual({ failed: true });
  });

  it('releases a task that succeeded as not failed, and sends it no signal', async () => {
    const driver = new ScriptedDriver(async () => undefined);
    const attempt = run(driver, task(''));
    driver.end({ kind: 'exited', exitCode: 0 });
    expect(await attempt.result).toEqual({ kind: 'exited', exitCode: 0 });
    expect(driver.signals).toEqual([]);
    expect(driver.released).toEqual({ failed: false });
    expect(attempt.pids).toEqual([7]);
  });

  it('lets an error of the executor itself through', async () => {
    const driver = new ScriptedDriver(async () => {
      throw new Error('bug');
    });
    await expect(run(driver, task('')).result).rejects.toThrow('bug');
  });
});
