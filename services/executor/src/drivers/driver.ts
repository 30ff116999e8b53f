import type { Readable } from 'node:stream';
import type { AttemptRef } from '../domain/messages.js';
import type { ContainerOptions } from '../domain/container-options.js';
import type { TaskExit } from '../domain/outcome.js';

/** What a driver needs to start one attempt of a job. */
export interface DriverTask extends AttemptRef {
  jobId: string;
  /** The command with its context references already substituted. */
  command: string;
  /** Docker image; empty for the shell driver. */
  image: string;
  /** How a container is run (Docker driver only). */
  container: ContainerOptions;
  env: Record<string, string>;
  /** Absolute folder the command runs in, prepared (and later removed) by the runner. */
  workdir: string;
}

/** Where a driver sends the job's output. */
export interface OutputSink {
  /** Reads a stream of the job's output line by line; may pause it while the log pipeline is full. */
  attach(stream: 'stdout' | 'stderr', readable: Readable): void;
  /** A line Fluxi writes into the job's log (timeout, kill, infrastructure trouble). */
  system(text: string): void;
}

/** What a driver gets besides the task when it starts one. */
export interface DriverIo {
  output: OutputSink;
  /** Aborted once the runner stops the attempt (timeout, cancel, shutdown): a slow start may give up. */
  signal: AbortSignal;
}

/** A task a driver started. The runner decides when it is stopped and what its end means. */
export interface RunningTask {
  /** The job's process on this machine, if there is one to name. */
  readonly pid?: number;
  /**
   * Resolves once the job's main process ended and its output was read to the end.
   * Never rejects for trouble of the job or its environment: that is an `infrastructure` exit.
   */
  wait(): Promise<TaskExit>;
  /** Whether anything the task started is still running (also after `wait` resolved). */
  alive(): Promise<boolean>;
  /** Sends `signal` to everything the task runs; nothing happens when nothing is left. */
  kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Frees what the task holds once it is over (a container); `failed` when the attempt failed. */
  release?(ending: { failed: boolean }): Promise<void>;
}

/** Lost attempts a driver found at start, left by a previous life of this executor. */
export interface DriverHost {
  /** Reports an attempt as failed (infrastructure) with `reason`; resolves once the report is stored. */
  reportLost(ref: AttemptRef, reason: string): Promise<void>;
}

/**
 * Runs jobs of one kind (shell, Docker…), registered by name. `start` throws
 * StartFailure when the task cannot be started; any other error is the
 * executor's own. Timeouts, stops and what an end means belong to the runner.
 */
export interface Driver {
  readonly name: string;
  /** Called once before the first task: where a driver settles what a previous life left. */
  init?(host: DriverHost): Promise<void>;
  /** Called once when the executor stops, after its last task. */
  close?(): Promise<void>;
  start(task: DriverTask, io: DriverIo): Promise<RunningTask>;
}

/** A task that could not be started: the attempt ends with `result`, its reason written to the log. */
export class StartFailure extends Error {
  readonly result: { kind: 'infrastructure' | 'jobError'; reason: string };
  /** The log line, when it says more than the reason. */
  readonly line: string;

  constructor(reason: string, options: { kind?: 'infrastructure' | 'jobError'; line?: string } = {}) {
    super(reason);
    this.name = 'StartFailure';
    this.result = { kind: options.kind ?? 'infrastructure', reason };
    this.line = options.line ?? reason;
  }
}
