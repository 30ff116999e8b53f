import { describe, expect, it } from 'vitest';
import { FailureClass, JobOutcome } from '@fluxi/contracts';
import {
  attemptResult,
  classify,
  commandEnded,
  effectiveTimeoutSec,
  notStartedLine,
  stoppingLine,
  timedOutLine,
} from './outcome.js';

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

describe('classify (cancel and job errors)', () => {
  it('a user cancel is CANCELLED with the given reason, distinct from an executor stop', () => {
    expect(classify({ kind: 'cancelled', reason: 'cancelled by alice' })).toEqual({
      outcome: JobOutcome.CANCELLED,
      exitCode: -1,
      failureClass: FailureClass.CANCELLED,
      reason: 'cancelled by alice',
    });
    expect(classify({ kind: 'stopped', reason: 'executor stopped' }).failureClass).toBe(FailureClass.INFRASTRUCTURE);
  });

  it('a job that cannot run as written is a job failure without exit code', () => {
    expect(classify({ kind: 'jobError', reason: 'unknown context "x"' })).toEqual({
      outcome: JobOutcome.FAILED,
      exitCode: -1,
      failureClass: FailureClass.JOB,
      reason: 'unknown context "x"',
    });
  });
});

describe('commandEnded', () => {
  it('is true when the command ran to an end, even a failing one', () => {
    expect(commandEnded({ kind: 'exited', exitCode: 1 })).toBe(true);
    expect(commandEnded({ kind: 'timedOut', timeoutSec: 1 })).toBe(true);
    expect(commandEnded({ kind: 'signaled', signal: 'SIGKILL' })).toBe(true);
  });

  it('is false when it was stopped, cancelled or never ran', () => {
    expect(commandEnded({ kind: 'cancelled', reason: 'r' })).toBe(false);
    expect(commandEnded({ kind: 'stopped', reason: 'r' })).toBe(false);
    expect(commandEnded({ kind: 'infrastructure', reason: 'r' })).toBe(false);
    expect(commandEnded({ kind: 'jobError', reason: 'r' })).toBe(false);
  });
});

describe('stop lines', () => {
  it('name the cancel reason and keep the executor stop wording', () => {
    expect(stoppingLine({ kind: 'stopped', reason: 'x' }, 5)).toBe(
      "the executor is stopping: stopping the job's processes",
    );
    expect(stoppingLine({ kind: 'cancelled', reason: 'by bob' }, 5)).toBe(
      "cancelled: by bob; stopping the job's processes (SIGTERM, SIGKILL after 5s)",
    );
    expect(notStartedLine({ kind: 'cancelled', reason: 'by bob' })).toBe('cancelled: by bob; the job was not started');
  });
});

describe('effectiveTimeoutSec', () => {
  it('uses the job timeout, else the default', () => {
    expect(effectiveTimeoutSec(10, 3600)).toBe(10);
    expect(effectiveTimeoutSec(0, 3600)).toBe(3600);
  });
});

describe('out of memory', () => {
  it('is a job failure naming the limit, and its artifacts are saved', () => {
    expect(classify({ kind: 'outOfMemory', memoryMib: 16 })).toEqual({
      outcome: JobOutcome.FAILED,
      exitCode: -1,
      failureClass: FailureClass.JOB,
      reason: 'out of memory (limit 16 MiB)',
    });
    expect(commandEnded({ kind: 'outOfMemory', memoryMib: 16 })).toBe(true);
  });
});

describe('attemptResult', () => {
  it('is how the task ended, unless a stop was asked for first', () => {
    expect(attemptResult({ kind: 'exited', exitCode: 2 }, undefined)).toEqual({ kind: 'exited', exitCode: 2 });
    expect(attemptResult({ kind: 'signaled', signal: 'SIGKILL' }, { kind: 'timedOut', timeoutSec: 3 })).toEqual({
      kind: 'timedOut',
      timeoutSec: 3,
    });
    expect(attemptResult({ kind: 'outOfMemory', memoryMib: 8 }, { kind: 'cancelled', reason: 'r' })).toEqual({
      kind: 'cancelled',
      reason: 'r',
    });
  });

  it('says a timeout with the kill grace', () => {
    expect(timedOutLine(7, 5)).toBe("timed out after 7s: stopping the job's processes (SIGTERM, SIGKILL after 5s)");
  });
});
