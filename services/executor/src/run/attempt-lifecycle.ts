import {
  LEFT_RUNNING_LINE,
  attemptResult,
  classify,
  notStartedLine,
  stoppingLine,
  timedOutLine,
  type DriverResult,
  type StopCause,
} from '../domain/outcome.js';
import { JobOutcome } from '@fluxi/contracts';
import { StartFailure, type Driver, type DriverTask, type OutputSink, type RunningTask } from '../drivers/driver.js';
import type { StopSignal } from './stop-controller.js';

export interface LifecycleOptions {
  /** The attempt's timeout, counted from the moment the driver is asked to start it. */
  timeoutSec: number;
  /** Seconds between SIGTERM and SIGKILL when the task is stopped. */
  killGraceSec: number;
}

export interface LifecycleIo {
  output: OutputSink;
  /** Stop requests from outside: a cancel, or the executor's shutdown past its grace. */
  stop: StopSignal;
  /** Called once the task exists (pid 0 when there is none to name). */
  onStarted(pid: number): void;
}

/** Longest delay setTimeout accepts (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** How long a task may take to go after SIGKILL before the runner stops waiting for it. */
const AFTER_KILL_MS = 5000;
const POLL_MS = 25;

/**
 * Runs one task through a driver and owns everything around it: the timeout,
 * stop requests (cancel, shutdown), SIGTERM then SIGKILL after the kill grace,
 * the first stop winning over whatever comes after, the system lines saying so,
 * processes left running after the command ended, and the release of what the
 * task held. A stop asked for before the start ends the attempt without starting
 * it. Drivers only start, wait for and signal their tasks.
 */
export async function runAttempt(
  driver: Driver,
  task: DriverTask,
  options: LifecycleOptions,
  io: LifecycleIo,
): Promise<DriverResult> {
  if (io.stop.requested !== undefined) {
    io.output.system(notStartedLine(io.stop.requested));
    return io.stop.requested;
  }
  return new Attempt(driver, options, io).run(task);
}

/** The state of one attempt while its task starts, runs and ends. */
class Attempt {
  private readonly abort = new AbortController();
  private readonly graceMs: number;
  private running: RunningTask | undefined;
  /** The first stop asked for: it decides the result. */
  private stoppedBy: StopCause | undefined;
  private stopping: Promise<void> | undefined;
  /** Once the task ended, stop requests change nothing. */
  private ended = false;

  constructor(
    private readonly driver: Driver,
    private readonly options: LifecycleOptions,
    private readonly io: LifecycleIo,
  ) {
    this.graceMs = options.killGraceSec * 1000;
  }

  async run(task: DriverTask): Promise<DriverResult> {
    const { options, io } = this;
    const timer = setTimeout(
      () =>
        this.stopWith(
          { kind: 'timedOut', timeoutSec: options.timeoutSec },
          timedOutLine(options.timeoutSec, options.killGraceSec),
        ),
      Math.min(options.timeoutSec * 1000, MAX_TIMER_MS),
    );
    const removeStopListener = io.stop.onStop((request) =>
      this.stopWith(request, stoppingLine(request, options.killGraceSec)),
    );
    let result: DriverResult | undefined;
    try {
      result = await this.drive(task);
      return result;
    } finally {
      clearTimeout(timer);
      removeStopListener();
      if (this.running?.release !== undefined) {
        const failed = result === undefined || classify(result).outcome === JobOutcome.FAILED;
        await this.running.release({ failed });
      }
    }
  }

  private async drive(task: DriverTask): Promise<DriverResult> {
    const { io } = this;
    let running: RunningTask;
    try {
      running = await this.driver.start(task, { output: io.output, signal: this.abort.signal });
    } catch (error) {
      if (!(error instanceof StartFailure)) throw error;
      // A start given up because the attempt was stopped ends as that stop.
      if (this.stoppedBy !== undefined) return this.stoppedBy;
      io.output.system(error.line);
      return error.result;
    }
    this.running = running;
    // Stopped while it started: the task exists now, so it is stopped now.
    if (this.stoppedBy !== undefined) this.stopping = terminate(running, this.graceMs);
    io.onStarted(running.pid ?? 0);
    const exit = await running.wait();
    this.ended = true;
    if (this.stoppedBy === undefined) {
      if (exit.kind === 'infrastructure') io.output.system(exit.reason);
      if (await running.alive()) {
        io.output.system(LEFT_RUNNING_LINE);
        this.stopping = terminate(running, this.graceMs);
      }
    }
    await this.stopping;
    return attemptResult(exit, this.stoppedBy);
  }

  /** The first stop wins: its line is written and the task stopped; later ones change nothing. */
  private stopWith(cause: StopCause, line: string): void {
    if (this.stoppedBy !== undefined || this.ended) return;
    this.stoppedBy = cause;
    this.io.output.system(line);
    this.abort.abort();
    if (this.running !== undefined) this.stopping = terminate(this.running, this.graceMs);
  }
}

/**
 * SIGTERM, then SIGKILL if something is still alive after `graceMs`; resolves
 * once the task is gone, or after a last short wait past SIGKILL.
 */
async function terminate(task: RunningTask, graceMs: number): Promise<void> {
  await task.kill('SIGTERM');
  if (await gone(task, graceMs)) return;
  await task.kill('SIGKILL');
  await gone(task, AFTER_KILL_MS);
}

async function gone(task: RunningTask, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await task.alive())) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
