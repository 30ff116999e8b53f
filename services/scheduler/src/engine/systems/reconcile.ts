import { errorSummary } from '../../domain/error-summary.js';
import { holdingOf } from '../../domain/holding.js';
import { startLoop } from '../loop.js';
import type { EngineResources } from '../resources.js';
import type { AdvanceSystem } from './advance.js';

/**
 * Reconciliation: a job run the store has as QUEUED or RUNNING whose attempt no
 * executor holds (`domain/holding.ts` decides, from what the AttemptHolders port sees)
 * ends FAILED with class INFRASTRUCTURE through the advance system, as if its executor
 * had reported the failure: the job's retry rules and the run's advance apply. Its
 * executors are told to cancel the attempt too, in case it still runs somewhere.
 */
export class ReconcileSystem {
  constructor(
    private readonly resources: EngineResources,
    private readonly advance: AdvanceSystem,
  ) {}

  /** One pass over every open attempt. Returns how many were ended. */
  async pass(): Promise<number> {
    const { store, holders, logger } = this.resources;
    let ended = 0;
    for (const open of await store.listOpenAttempts()) {
      const log = logger.child({ pipelineRunId: open.pipelineRunId, jobRunId: open.jobRunId, attempt: open.attempt });
      try {
        const holding = holdingOf(open.status, await holders.observe(open));
        if (holding.held) continue;
        const result = await this.advance.fail(open, holding.reason);
        // Ignored: it ended or moved on meanwhile (its event arrived after the list was read).
        if (!result.applied) continue;
        ended += 1;
        log.warn({ status: open.status, reason: holding.reason }, 'attempt lost: ended FAILED (infrastructure)');
        await this.cancelLost(open, holding.reason);
      } catch (error) {
        log.warn({ err: errorSummary(error) }, 'could not reconcile an open attempt; trying again at the next pass');
      }
    }
    return ended;
  }

  /** A pass now, then one every `intervalMs`, until stopped. */
  start(intervalMs: number): { stop(): Promise<void> } {
    return startLoop(
      intervalMs,
      () => this.pass(),
      (error) => this.resources.logger.warn({ err: errorSummary(error) }, 'reconciliation pass failed'),
      { immediately: true },
    );
  }

  private async cancelLost(attempt: { jobRunId: string; attempt: number }, reason: string): Promise<void> {
    try {
      await this.resources.executors.cancel([{ ...attempt, reason }]);
    } catch (error) {
      // The attempt is already ended in the store; events it may still send are ignored.
      this.resources.logger.warn(
        { err: errorSummary(error), jobRunId: attempt.jobRunId },
        'could not send the cancel of a lost attempt',
      );
    }
  }
}
