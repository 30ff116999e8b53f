import { FailureClass, JobOutcome } from '@fluxi/contracts';

/** How a driver's run of one attempt ended, before it is told to the rest of Fluxi. */
export type DriverResult =
  | { kind: 'exited'; exitCode: number }
  | { kind: 'signaled'; signal: string }
  | { kind: 'timedOut'; timeoutSec: number }
  /** The executor stopped the job itself (shutdown beyond the grace period). */
  | { kind: 'stopped'; reason: string }
  /** The job could not run: bad workdir, spawn error, missing driver, executor error. */
  | { kind: 'infrastructure'; reason: string };

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
    case 'stopped':
    case 'infrastructure':
      return failed(-1, FailureClass.INFRASTRUCTURE, result.reason);
  }
}

function failed(exitCode: number, failureClass: FailureClass, reason: string): Outcome {
  return { outcome: JobOutcome.FAILED, exitCode, failureClass, reason };
}

/** The timeout of a job: its own, or the executor's default when it sets none. */
export function effectiveTimeoutSec(jobTimeoutSec: number, defaultTimeoutSec: number): number {
  return jobTimeoutSec > 0 ? jobTimeoutSec : defaultTimeoutSec;
}
