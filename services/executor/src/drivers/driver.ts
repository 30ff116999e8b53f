import type { Readable } from 'node:stream';
import type { DriverResult } from '../domain/outcome.js';

/** What a driver needs to run one attempt of a job. */
export interface DriverTask {
  jobRunId: string;
  pipelineRunId: string;
  attempt: number;
  command: string;
  /** Docker image; empty for the shell driver. */
  image: string;
  env: Record<string, string>;
  /** Working directory asked for by the job; empty means a fresh temporary one. */
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

export interface DriverContext {
  output: OutputSink;
  /** Called once the job's process exists (pid 0 when there is none to name). */
  onStarted(pid: number): void;
  /** Aborted when the executor must stop the job (shutdown past its grace period). */
  cancel: AbortSignal;
}

/**
 * Runs jobs of one kind (shell, Docker…). `run` never throws for problems of the
 * job or its environment: it returns an `infrastructure` result with a reason.
 */
export interface Driver {
  readonly name: string;
  run(task: DriverTask, context: DriverContext): Promise<DriverResult>;
}
