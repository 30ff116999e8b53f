import { FluxiError } from '@fluxi/common';

/** What a reopened run's checks read of it. */
export interface ReopenedRun {
  readonly id: string;
  readonly number: number;
  readonly concurrencyGroup: string | null;
  readonly timeoutSec: number | null;
}

/**
 * A run that had ended and opens again (a manual job run played) enters its concurrency
 * group again: refused (CONFLICT) while another run of the group is open (`openInGroup`:
 * the group's runs not ended); else it holds the group until it ends again. Its timeout
 * counts again from now: returns its new deadline (null: no run timeout).
 */
export function reentry(
  run: ReopenedRun,
  openInGroup: readonly { readonly id: string }[],
  jobRunId: string,
  now: Date,
): { deadlineAt: Date | null } {
  const other = openInGroup.find((open) => open.id !== run.id);
  if (run.concurrencyGroup !== null && other !== undefined) {
    throw new FluxiError(
      'CONFLICT',
      `run ${run.id} has ended and run ${other.id} of its concurrency group ${run.concurrencyGroup} is open: play ${jobRunId} once that run has ended`,
      { field: 'id' },
    );
  }
  return { deadlineAt: run.timeoutSec === null ? null : new Date(now.getTime() + run.timeoutSec * 1000) };
}

/**
 * Whether a run's end writes its pipeline's context: not over one a newer run (higher
 * number) wrote, e.g. when a run reopened by a played manual job run ends again.
 */
export const replacesPipelineContext = (writerNumber: number | undefined, run: Pick<ReopenedRun, 'number'>): boolean =>
  writerNumber === undefined || writerNumber <= run.number;
