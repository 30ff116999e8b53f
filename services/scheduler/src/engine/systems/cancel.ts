import { FluxiError, notFound } from '@fluxi/common';
import { isTerminal } from '../../domain/status.js';
import type { StopRequest } from '../../domain/stop.js';
import type { LockedRun } from '../../store/run-tx.js';
import type { EngineResources } from '../resources.js';
import type { DispatchSystem } from './dispatch.js';
import { killAttempts, stopInTx, type Stopped } from './stop.js';

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
    await this.run(runId, (stored) => {
      if (isTerminal(stored.run.status)) {
        throw new FluxiError('CONFLICT', `run ${runId} already ended ${stored.run.status}`, { field: 'id' });
      }
      return { status: 'CANCELLED', failureClass: 'CANCELLED', reason: why, runStatus: 'CANCELLED' };
    });
  }

  async cancelJobRun(jobRunId: string, by: string | null, reason?: string): Promise<void> {
    const runId = (await this.resources.store.getJobRun(jobRunId))?.pipelineRunId;
    if (runId === undefined) throw notFound('job run', jobRunId);
    const why = reason ?? `cancelled${by === null ? '' : ` by ${by}`}`;
    await this.run(runId, (stored) => {
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
      const ended = await this.run(runId, (stored) => {
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

  private async run(runId: string, decide: (stored: LockedRun) => StopRequest | undefined): Promise<boolean> {
    const now = this.resources.now();
    const stopped: Stopped | undefined = await this.resources.store.transaction(async (tx) => {
      const stored = await tx.lockRun(runId);
      if (stored === undefined) throw notFound('run', runId);
      const request = decide(stored);
      return request === undefined ? undefined : stopInTx(tx, stored, request, now);
    });
    if (stopped === undefined) return false;
    this.resources.logger.info({ pipelineRunId: runId, reason: stopped.reason }, 'job runs stopped');
    await killAttempts(this.resources, [stopped]);
    await this.dispatch.enqueue(stopped.items);
    return true;
  }
}
