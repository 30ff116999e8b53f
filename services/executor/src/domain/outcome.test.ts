import { describe, expect, it } from 'vitest';
import { FailureClass, JobOutcome } from '@fluxi/contracts';
import { classify, effectiveTimeoutSec } from './outcome.js';

describe('classify', () => {
  it('exit code 0 is a success', () => {
    expect(classify({ kind: 'exited', exitCode: 0 })).toEqual({
      outcome: JobOutcome.SUCCESS,
      exitCode: 0,
      failureClass: FailureClass.UNSPECIFIED,
      reason: '',
    });
  });

  it('a non-zero exit code is a job failure', () => {
    expect(classify({ kind: 'exited', exitCode: 3 })).toEqual({
      outcome: JobOutcome.FAILED,
      exitCode: 3,
      failureClass: FailureClass.JOB,
      reason: 'exit code 3',
    });
  });

  it('a signal is a job failure naming the signal', () => {
    expect(classify({ kind: 'signaled', signal: 'SIGKILL' })).toMatchObject({
      outcome: JobOutcome.FAILED,
      exitCode: -1,
      failureClass: FailureClass.JOB,
      reason: 'killed by signal SIGKILL',
    });
  });

  it('a timeout is its own class', () => {
    expect(classify({ kind: 'timedOut', timeoutSec: 7 })).toMatchObject({
      outcome: JobOutcome.FAILED,
      exitCode: -1,
      failureClass: FailureClass.TIMEOUT,
      reason: 'timed out after 7s',
    });
  });

  it('infrastructure trouble and executor stops are infrastructure failures', () => {
    for (const kind of ['infrastructure', 'stopped'] as const) {
      expect(classify({ kind, reason: 'why' })).toMatchObject({
        outcome: JobOutcome.FAILED,
        exitCode: -1,
        failureClass: FailureClass.INFRASTRUCTURE,
        reason: 'why',
      });
    }
  });
});

describe('effectiveTimeoutSec', () => {
  it('uses the job timeout, else the default', () => {
    expect(effectiveTimeoutSec(10, 3600)).toBe(10);
    expect(effectiveTimeoutSec(0, 3600)).toBe(3600);
  });
});
