import { badInput, FluxiError } from '@fluxi/common';
import { stepBetween, type JobRunState, type RunState, type Step } from './model.js';
import { skippedUnplayed, upstreamOf } from './readiness.js';
import { isTerminal } from './status.js';

/**
 * Plays a MANUAL job run (GitLab's play button): it becomes QUEUED, to dispatch. A run
 * that had ended (its manual job runs may fail, so they did not hold it) opens again as
 * RUNNING and ends again when the played job run and what waited for it are over; what
 * was skipped because it waited for this one, not played, is PENDING again (GitLab resets
 * those skipped jobs). A MANUAL run (blocked by it) is QUEUED, or RUNNING once it started.
 */
export function playJobRun(run: RunState, jobRunId: string, now: Date): Step {
  const target = run.jobRuns.find((jobRun) => jobRun.id === jobRunId);
  if (target === undefined) throw badInput(`job run ${jobRunId} is not in run ${run.id}`, 'id');
  if (target.status !== 'MANUAL') {
    throw new FluxiError('CONFLICT', `job run ${jobRunId} is ${target.status}: only a MANUAL job run can be played`, {
      field: 'id',
    });
  }
  const played: JobRunState = { ...target, status: 'QUEUED', reason: null };
  const jobRuns = run.jobRuns.map((jobRun) => {
    if (jobRun.id === jobRunId) return played;
    if (!skippedUnplayed(jobRun) || !upstreamOf(jobRun, run.jobRuns).some((up) => up.id === jobRunId)) return jobRun;
    return { ...jobRun, status: 'PENDING' as const, reason: null, endedAt: null };
  });
  const waiting = run.status === 'PENDING' || run.status === 'MANUAL';
  const reopened: RunState = isTerminal(run.status)
    ? { ...run, status: 'RUNNING', reason: null, endedAt: null, startedAt: run.startedAt ?? now, jobRuns }
    : { ...run, status: waiting ? (run.startedAt === null ? 'QUEUED' : 'RUNNING') : run.status, jobRuns };
  return stepBetween(run, reopened, [played]);
}
