import { FailureClass, JobOutcome } from '@fluxi/contracts';

/** Why the executor stops an attempt it runs. */
export type StopRequest =
  /** The executor is shutting down and its grace period ran out. */
  | { kind: 'stopped'; reason: string }
  /** A user (through the scheduler) cancelled the job run. */
  | { kind: 'cancelled'; reason: string };

/** How a driver's run of one attempt ended, before it is told to the rest of Fluxi. */
export type DriverResult =
  | { kind: 'exited'; exitCode: number }
  | { kind: 'signaled'; signal: string }
  | { kind: 'timedOut'; timeoutSec: number }
  /** The job went past its memory limit and the kernel killed it. */
  | { kind: 'outOfMemory'; memoryMib: number }
  | StopRequest
  /** The job cannot run as written (an unknown context): the job's fault, nothing was run. */
  | { kind: 'jobError'; reason: string }
  /** The job could not run: bad workdir, spawn error, missing driver, executor error. */
  | { kind: 'infrastructure'; reason: string };

/** How a driver saw its task end; the runner adds timeouts and stops (see AttemptLifecycle). */
export type TaskExit =
  | { kind: 'exited'; exitCode: number }
  | { kind: 'signaled'; signal: string }
  | { kind: 'outOfMemory'; memoryMib: number }
  /** The driver lost its task (the Docker engine went away while it ran). */
  | { kind: 'infrastructure'; reason: string };

/** Why the runner stopped an attempt: its timeout, a cancel or the executor's shutdown. */
export type StopCause = { kind: 'timedOut'; timeoutSec: number } | StopRequest;

/** The result of an attempt: the first stop the runner asked for wins over how the task then ended. */
export function attemptResult(exit: TaskExit, stoppedBy: StopCause | undefined): DriverResult {
  return stoppedBy ?? exit;
}

export interface Outcome {
  outcome: JobOutcome;
  /** -1 when the process did not exit by itself. */
  exitCode: number;
  failureClass: FailureClass;
  reason: string;
}

/** Maps a driver result to what the `finished` event carries. */
export function classify(result: DriverResult): Outcome {
  switch (result.kind) {
    case 'exited':
      return result.exitCode === 0
        ? { outcome: JobOutcome.SUCCESS, exitCode: 0, failureClass: FailureClass.UNSPECIFIED, reason: '' }
        : failed(result.exitCode, FailureClass.JOB, `exit code ${result.exitCode}`);
    case 'signaled':
      return failed(-1, FailureClass.JOB, `killed by signal ${result.signal}`);
    case 'timedOut':
      return failed(-1, FailureClass.TIMEOUT, `timed out after ${result.timeoutSec}s`);
    case 'outOfMemory':
      // The job's own limit was too small for what it did: its fault, and a retry would end the same.
      return failed(-1, FailureClass.JOB, outOfMemoryReason(result.memoryMib));
    case 'cancelled':
      return {
        outcome: JobOutcome.CANCELLED,
        exitCode: -1,
        failureClass: FailureClass.CANCELLED,
        reason: result.reason,
      };
    case 'jobError':
      return failed(-1, FailureClass.JOB, result.reason);
    case 'stopped':
    case 'infrastructure':
      return failed(-1, FailureClass.INFRASTRUCTURE, result.reason);
  }
}

function failed(exitCode: number, failureClass: FailureClass, reason: string): Outcome {
  return { outcome: JobOutcome.FAILED, exitCode, failureClass, reason };
}

/** Whether the command ran to an end of its own or by timeout, so its artifacts are saved. */
export function commandEnded(result: DriverResult): boolean {
  return (
    result.kind === 'exited' ||
    result.kind === 'signaled' ||
    result.kind === 'timedOut' ||
    result.kind === 'outOfMemory'
  );
}

/** The reason of a job killed for going past its memory limit. */
export function outOfMemoryReason(memoryMib: number): string {
  return `out of memory (limit ${memoryMib} MiB)`;
}

/** The timeout of a job: its own, or the executor's default when it sets none. */
export function effectiveTimeoutSec(jobTimeoutSec: number, defaultTimeoutSec: number): number {
  return jobTimeoutSec > 0 ? jobTimeoutSec : defaultTimeoutSec;
}

/** The system log line written when an attempt is stopped while its processes run. */
export function stoppingLine(request: StopRequest, killGraceSec: number): string {
  return request.kind === 'stopped'
    ? "the executor is stopping: stopping the job's processes"
    : `cancelled: ${request.reason}; stopping the job's processes (SIGTERM, SIGKILL after ${killGraceSec}s)`;
}

/** The system log line written when an attempt runs past its timeout. */
export function timedOutLine(timeoutSec: number, killGraceSec: number): string {
  return `timed out after ${timeoutSec}s: stopping the job's processes (SIGTERM, SIGKILL after ${killGraceSec}s)`;
}

/** The system log line written when a job's processes are still running after its command ended. */
export const LEFT_RUNNING_LINE = 'stopping processes the job left running';

/** The system log line written when an attempt is stopped before its command started. */
export function notStartedLine(request: StopRequest): string {
  return request.kind === 'stopped'
    ? 'the executor is stopping: the job was not started'
    : `cancelled: ${request.reason}; the job was not started`;
}
