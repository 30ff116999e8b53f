import { JobOutcome, type JobRunEvent } from '@fluxi/contracts';
import type { AttemptStatus } from './log-search.js';

const STATUS: Partial<Record<JobOutcome, AttemptStatus>> = {
  [JobOutcome.SUCCESS]: 'SUCCESS',
  [JobOutcome.FAILED]: 'FAILED',
  [JobOutcome.CANCELLED]: 'CANCELLED',
};

/**
 * The outcome a `finished` event records for the "run status" search filter; undefined
 * for any other event (started) or an outcome this build does not know.
 */
export function outcomeOf(
  event: JobRunEvent,
): { jobRunId: string; attempt: number; status: AttemptStatus; finishedAtMs: number } | undefined {
  if (event.kind.case !== 'finished' || event.jobRunId === '' || event.attempt < 1) return undefined;
  const status = STATUS[event.kind.value.outcome];
  if (status === undefined) return undefined;
  return { jobRunId: event.jobRunId, attempt: event.attempt, status, finishedAtMs: Number(event.atMs) };
}
