import type { Readable } from 'node:stream';
import type { DriverResult, StopRequest } from '../domain/outcome.js';

/** What a driver needs to run one attempt of a job. */
export interface DriverTask {
  jobRunId: string;
  pipelineRunId: string;
  attempt: number;
  /** The command with its context references already substituted. */
  command: string;
  /** Docker image; empty for the shell driver. */
  image: string;
  env: Record<string, string>;
  /** Absolute folder the command runs in, prepared (and later removed) by the runner. */
  workdir: string;
  timeoutSec: number;
}

/** Where a driver sends the job's output. */
export interface OutputSink {
  /** Reads a stream of the job's output line by line; may pause it while the log pipeline is full. */
  attach(stream: 'stdout' | 'stderr', readable: Readable): void;
  /** A line Fluxi writes into the job's log (timeout, kill, infrastructure trouble). */
  system(text: string): void;
}

/** Tells a driver that the attempt must stop, and why (executor shutdown or user cancel). */
export interface StopSignal {
  /** The first stop asked for, if any. */
  readonly requested: StopRequest | undefined;
  /** Calls `listener` once a stop is asked for (at once if it already was); returns a function removing it. */
  onStop(listener: (request: StopRequest) => void): () => void;
}

export interface DriverContext {
  output: OutputSink;
  /** Called once the job's process exists (pid 0 when there is none to name). */
  onStarted(pid: number): void;
  /** Stop the job now: it is cancelled, or the executor is stopping past its grace period. */
  stop: StopSignal;
}

/**
 * Runs jobs of one kind (shell, Docker…). `run` never throws for problems of the
 * job or its environment: it returns an `infrastructure` result with a reason.
 */
export interface Driver {
  readonly name: string;
  run(task: DriverTask, context: DriverContext): Promise<DriverResult>;
}
