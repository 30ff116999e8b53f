import { FluxiError, notFound } from '@fluxi/common';
import { isTerminal } from '../../domain/status.js';
import type { StopRequest } from '../../domain/stop.js';
import type { LockedRun } from '../../store/run-tx.js';
import type { EngineResources } from '../resources.js';
import type { DispatchSystem } from './dispatch.js';
import { killAttempts, stopInTx } from './stop.js';

/**
 * Cancel: a whole run or one job run. Queued attempts are taken out of the queue,
 * running ones are killed by their executor (process group or container), and the
 * job runs end CANCELLED at once; a run whose job runs are all over ends CANCELLED.
 * Timeouts: runs past their deadline end FAILED, their open job runs TIMEOUT.
 */
export class CancelSystem {
  constructor(
    private readonly resources: EngineResources,
    private readonly dispatch: DispatchSystem,
  ) {}

  async cancelRun(runId: string, by: string | null, reason?: string): Promise<void> {
    const why = reason ?? `cancelled${by === null ? '' : ` by ${by}`}`;
    await this.run({ runId }, (stored) => {
      if (isTerminal(stored.run.status)) {
        throw new FluxiError('CONFLICT', `run ${runId} already ended ${stored.run.status}`, { field: 'id' });
      }
      return { status: 'CANCELLED', failureClass: 'CANCELLED', reason: why, runStatus: 'CANCELLED' };
    });
  }

  async cancelJobRun(jobRunId: string, by: string | null, reason?: string): Promise<void> {
    const why = reason ?? `cancelled${by === null ? '' : ` by ${by}`}`;
    await this.run({ jobRunId }, (stored) => {
      const jobRun = stored.jobRuns.find((candidate) => candidate.id === jobRunId);
      if (jobRun === undefined || isTerminal(jobRun.status)) {
        throw new FluxiError('CONFLICT', `job run ${jobRunId} already ended ${jobRun?.status ?? ''}`.trim(), {
          field: 'id',
        });
      }
      return { jobRunIds: [jobRunId], status: 'CANCELLED', failureClass: 'CANCELLED', reason: why };
    });
  }

  /** Ends every open run past its deadline (run timeout). Returns how many. */
  async timeOutOverdue(): Promise<number> {
    const overdue = await this.resources.store.overdueRuns(this.resources.now());
    let count = 0;
    for (const runId of overdue) {
      const ended = await this.run({ runId }, (stored) => {
        if (isTerminal(stored.run.status)) return undefined;
        return {
          status: 'FAILED',
          failureClass: 'TIMEOUT',
          reason: `the pipeline run timed out after ${stored.run.timeoutSec ?? 0}s`,
          runStatus: 'FAILED',
        };
      });
      if (ended) count += 1;
    }
    return count;
  }

  /** Locks the run (given by its id or one of its job runs), stops what `decide` asks, then kills and enqueues. */
  private async run(
    target: { runId: string } | { jobRunId: string },
    decide: (stored: LockedRun) => StopRequest | undefined,
  ): Promise<boolean> {
    const now = this.resources.now();
    const outcome = await this.resources.store.transaction(async (tx) => {
      const stored = 'runId' in target ? await tx.lockRun(target.runId) : await tx.lockRunOfJobRun(target.jobRunId);
      if (stored === undefined) {
        throw 'runId' in target ? notFound('run', target.runId) : notFound('job run', target.jobRunId);
      }
      const request = decide(stored);
      if (request === undefined) return undefined;
      const stopped = await stopInTx(tx, stored, request, now);
      return stopped === undefined ? undefined : { runId: stored.run.id, stopped };
    });
    if (outcome === undefined) return false;
    const { runId, stopped } = outcome;
    this.resources.logger.info({ pipelineRunId: runId, reason: stopped.reason }, 'job runs stopped');
    await killAttempts(this.resources, [stopped]);
    await this.dispatch.enqueue(stopped.items);
    return true;
  }
}
