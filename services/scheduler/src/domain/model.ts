import type { RetryRule } from './retry.js';
import type { FailureClassName, RunStatus, When } from './status.js';

/** What the run engine knows of one job run when it decides what happens next. */
export interface JobRunState {
  readonly id: string;
  /** Unique in its run: the entry name, plus the matrix values for a matrix cell (`test [node=18]`). */
  readonly name: string;
  /** The pipeline entry it comes from; `needs` refer to entries (all cells of a matrix entry). */
  readonly entry: string;
  readonly stageIndex: number;
  /** Entry names this one waits for; empty = waits for every earlier stage. */
  readonly needs: readonly string[];
  readonly when: When;
  readonly allowFailure: boolean;
  /** A failure with one of these exit codes does not fail the run (absent: none). */
  readonly allowFailureExitCodes?: readonly number[];
  /** Starts when the run starts, waiting for nothing (GitLab `needs: []`). */
  readonly startAtOnce?: boolean;
  /** Entries whose artifacts it takes; absent or null: all it waits for. */
  readonly artifactsFrom?: readonly string[] | null;
  /** At least 1. */
  readonly maxAttempts: number;
  readonly retry: RetryRule;
  readonly status: RunStatus;
  /** Current attempt, from 1. */
  readonly attempt: number;
  /** Earliest time the current attempt may start (retry backoff); null = at once. */
  readonly notBefore: Date | null;
  readonly exitCode: number | null;
  readonly failureClass: FailureClassName | null;
  readonly reason: string | null;
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
  /**
   * While PENDING: its current attempt is armed on the one attempt it still waits for, which may
   * queue it the moment it succeeds (arming.ts). Its events are then accepted as a QUEUED one's.
   */
  readonly armed?: boolean;
}

export interface RunState {
  readonly id: string;
  readonly status: RunStatus;
  /** Why the run ended as it did when a job run alone does not say (timeout, cancel). */
  readonly reason: string | null;
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
      after.status !== before.status ||
      after.startedAt !== before.startedAt ||
      after.endedAt !== before.endedAt ||
      after.reason !== before.reason,
  };
}
