import type { JobRunState } from './model.js';
import { isBlockingFailure } from './readiness.js';
import { isOpen, type RunStatus } from './status.js';

/** The record of one stage of a run, derived from its job runs. */
export interface StageRunState {
  readonly index: number;
  readonly name: string;
  readonly status: RunStatus;
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
}

type StagedJobRun = Pick<JobRunState, 'status' | 'allowFailure' | 'startedAt' | 'endedAt' | 'stageIndex'> &
  Partial<Pick<JobRunState, 'allowFailureExitCodes' | 'exitCode'>> & {
    readonly stageName: string;
  };

/**
 * Each stage's status and times: RUNNING while one of its job runs runs (QUEUED when
 * only queued, PENDING when none started), else FAILED on a blocking failure,
 * CANCELLED, SKIPPED when every job run was skipped, or SUCCESS. Started at its
 * first job run's start, ended at its last end once nothing in it is open.
 */
export function stageRuns(jobRuns: readonly StagedJobRun[]): StageRunState[] {
  const byStage = new Map<number, StagedJobRun[]>();
  for (const jobRun of jobRuns) byStage.set(jobRun.stageIndex, [...(byStage.get(jobRun.stageIndex) ?? []), jobRun]);
  return [...byStage.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, members]) => {
      const open = members.some((jobRun) => isOpen(jobRun.status));
      const starts = members.flatMap((jobRun) => (jobRun.startedAt === null ? [] : [jobRun.startedAt.getTime()]));
      const ends = members.flatMap((jobRun) => (jobRun.endedAt === null ? [] : [jobRun.endedAt.getTime()]));
      return {
        index,
        name: members[0]?.stageName ?? '',
        status: stageStatus(members, open),
        startedAt: starts.length === 0 ? null : new Date(Math.min(...starts)),
        endedAt: open || ends.length === 0 ? null : new Date(Math.max(...ends)),
      };
    });
}

function stageStatus(members: readonly StagedJobRun[], open: boolean): RunStatus {
  const has = (status: RunStatus) => members.some((jobRun) => jobRun.status === status);
  if (open) {
    if (has('RUNNING') || members.some((jobRun) => !isOpen(jobRun.status))) return 'RUNNING';
    return has('QUEUED') ? 'QUEUED' : 'PENDING';
  }
  if (members.some((jobRun) => isBlockingFailure(jobRun))) return 'FAILED';
  if (has('CANCELLED')) return 'CANCELLED';
  if (members.every((jobRun) => jobRun.status === 'SKIPPED')) return 'SKIPPED';
  return 'SUCCESS';
}
