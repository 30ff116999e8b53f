import type { FailureClassName, RunStatus } from './status.js';

/** What the run engine knows of one job run when it decides what happens next. */
export interface JobRunState {
  readonly id: string;
  /** Entry name, unique in its run; `needs` refer to it. */
  readonly name: string;
  readonly stageIndex: number;
  /** Names of the entries this one waits for; empty = waits for every earlier stage. */
  readonly needs: readonly string[];
  readonly allowFailure: boolean;
  /** At least 1. */
  readonly maxAttempts: number;
  readonly status: RunStatus;
  /** Current attempt, from 1. */
  readonly attempt: number;
  readonly exitCode: number | null;
  readonly failureClass: FailureClassName | null;
  readonly reason: string | null;
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
}

export interface RunState {
  readonly id: string;
  readonly status: RunStatus;
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
  /** In stage order, then entry order. */
  readonly jobRuns: readonly JobRunState[];
}

/** A lifecycle event of one attempt, as the executor reported it. */
export type JobRunEventInput =
  | { readonly kind: 'started'; readonly jobRunId: string; readonly attempt: number; readonly at: Date }
  | {
      readonly kind: 'finished';
      readonly jobRunId: string;
      readonly attempt: number;
      readonly at: Date;
      readonly outcome: 'SUCCESS' | 'FAILED' | 'CANCELLED';
      readonly exitCode: number | null;
      readonly failureClass: FailureClassName | null;
      readonly reason: string | null;
    };

/**
 * The result of a step of the engine: the new state, the job runs that changed (to
 * persist), and those that became QUEUED (to enqueue once the change is committed).
 */
export interface Step {
  readonly run: RunState;
  readonly changed: readonly JobRunState[];
  readonly dispatch: readonly JobRunState[];
  readonly runChanged: boolean;
}

/** The Step from `before` to `after`: job runs are compared by identity (states are immutable). */
export function stepBetween(before: RunState, after: RunState, dispatch: readonly JobRunState[]): Step {
  return {
    run: after,
    changed: after.jobRuns.filter((jobRun, index) => jobRun !== before.jobRuns[index]),
    dispatch,
    runChanged:
      after.status !== before.status || after.startedAt !== before.startedAt || after.endedAt !== before.endedAt,
  };
}
