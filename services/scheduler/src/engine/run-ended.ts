import { reentry, replacesPipelineContext } from '../domain/reopen.js';
import { admitRun } from '../domain/start.js';
import type { ContextPart } from '../store/context-records.js';
import type { JobRunRecord } from '../store/records.js';
import type { LockedRun, RunTx } from '../store/run-tx.js';
import type { Step } from '../domain/model.js';
import { persistStep, type PersistOptions } from './persist.js';
import { toRunState } from './state.js';
import type { DispatchItem } from './systems/dispatch.js';

/**
 * Writes a step of a locked run (see persistStep) and, when the step ended the run,
 * what follows its end, unless `quiet`. Returns what to enqueue after commit.
 */
export async function persistAndEnd(
  tx: RunTx,
  stored: LockedRun,
  step: Step,
  now: Date,
  options: PersistOptions & { quiet?: boolean } = {},
): Promise<DispatchItem[]> {
  return (await persistAndEndStep(tx, stored, step, now, options)).items;
}

/** persistAndEnd, also returning the locked run as it is after the step (for a next step in the same transaction). */
export async function persistAndEndStep(
  tx: RunTx,
  stored: LockedRun,
  step: Step,
  now: Date,
  options: PersistOptions & { quiet?: boolean } = {},
): Promise<{ items: DispatchItem[]; after: LockedRun }> {
  const persisted = await persistStep(tx, stored, step, now, options);
  if (!persisted.ended || options.quiet === true) return { items: persisted.items, after: persisted.after };
  return { items: [...persisted.items, ...(await onRunEnded(tx, persisted.after, now))], after: persisted.after };
}

/**
 * What follows the end of a run, in the same transaction: its pipeline context is
 * written, and the next run waiting in its concurrency group is started. Returns what
 * that run queued.
 */
export async function onRunEnded(tx: RunTx, ended: LockedRun, now: Date): Promise<DispatchItem[]> {
  if (ended.run.pipelineId !== null) await writePipelineContext(tx, ended, ended.run.pipelineId, now);
  const group = ended.run.concurrencyGroup;
  return group === null ? [] : admitNext(tx, group, now);
}

/**
 * A run that had ended opens again (a manual job run played): in its concurrency group
 * again, or refused while another run of it is open; its timeout from now (reentry).
 * Call with the run locked, before persisting the step.
 */
export async function reenterRun(tx: RunTx, stored: LockedRun, jobRunId: string, now: Date): Promise<void> {
  const group = stored.run.concurrencyGroup;
  if (group !== null) await tx.lockGroup(group);
  const open = group === null ? [] : await tx.openRunsOfGroup(group);
  const { deadlineAt } = reentry(stored.run, open, jobRunId, now);
  if (deadlineAt !== null) await tx.setDeadline(stored.run.id, deadlineAt);
}

/** Starts the oldest waiting run of a group once no admitted run of it is open. */
export async function admitNext(tx: RunTx, group: string, now: Date): Promise<DispatchItem[]> {
  await tx.lockGroup(group);
  const open = await tx.openRunsOfGroup(group);
  if (open.some((run) => run.state === 'admitted')) return [];
  const next = open.find((run) => run.state === 'waiting');
  if (next === undefined) return [];
  const stored = await tx.lockRun(next.id);
  if (stored === undefined) return [];
  const deadline = stored.run.timeoutSec === null ? null : new Date(now.getTime() + stored.run.timeoutSec * 1000);
  await tx.admitRun(next.id, deadline);
  const admitted: LockedRun = { ...stored, run: { ...stored.run, concurrencyState: 'admitted', deadlineAt: deadline } };
  return persistAndEnd(tx, admitted, admitRun(toRunState(stored.run, stored.jobRuns), now), now, { admitted: true });
}

/**
 * A pipeline's context: the output of its last job (the one that ended last among
 * those that ran), with every job's part listed. Written at every end of a run that
 * ran something, whatever its status: it is the latest execution. A run never replaces
 * the context a newer run of the pipeline wrote (a run reopened by a played manual job
 * run, or an older run ending after a newer one).
 */
async function writePipelineContext(tx: RunTx, ended: LockedRun, pipelineId: string, now: Date): Promise<void> {
  // Reused job runs (failed-only rerun) count: their output is this run's too.
  const ran = ended.jobRuns.filter((jobRun) => jobRun.status === 'SUCCESS' || jobRun.status === 'FAILED');
  // A run that executed nothing (cancelled while waiting) leaves the latest context as it was.
  if (ran.length === 0) return;
  if (!replacesPipelineContext(await tx.contexts.pipelineContextRunNumber(pipelineId), ended.run)) return;
  const last = lastEnded(ran);
  const contextIds = await tx.contexts.idsOfJobs(ran.map((jobRun) => jobRun.jobId));
  const parts: ContextPart[] = ran.map((jobRun) => ({
    name: jobRun.name,
    jobRunId: jobRun.id,
    contextId: contextIds.get(jobRun.jobId) ?? null,
  }));
  const lastOutput = last === undefined ? undefined : await tx.outputOf(last.id);
  const started = ended.run.startedAt;
  await tx.contexts.write(
    {
      kind: 'pipeline',
      ownerId: pipelineId,
      name: (await tx.pipelineNameOf(ended.run.id)) ?? pipelineId,
      value: lastOutput?.output ?? '',
      sizeBytes: lastOutput?.outputBytes ?? 0,
      truncated: (lastOutput?.outputBytes ?? 0) > Buffer.byteLength(lastOutput?.output ?? ''),
      pipelineRunId: ended.run.id,
      jobRunId: last?.id ?? null,
      startedAt: started,
      durationMs: started === null ? null : now.getTime() - started.getTime(),
      exitCode: last?.exitCode ?? null,
      status: ended.run.status,
      parts,
    },
    now,
  );
}

function lastEnded(jobRuns: readonly JobRunRecord[]): JobRunRecord | undefined {
  let last: JobRunRecord | undefined;
  for (const jobRun of jobRuns) {
    if (last === undefined || (jobRun.endedAt?.getTime() ?? 0) >= (last.endedAt?.getTime() ?? 0)) last = jobRun;
  }
  return last;
}
