import { notFound } from '@fluxi/common';
import { playJobRun } from '../../domain/manual.js';
import type { EngineResources } from '../resources.js';
import { isTerminal } from '../../domain/status.js';
import { persistAndEnd, reenterRun } from '../run-ended.js';
import { toRunState } from '../state.js';
import type { DispatchSystem } from './dispatch.js';

/** Play: a person starts a MANUAL job run (GitLab's when: manual); it is queued like any other. */
export class PlaySystem {
  constructor(
    private readonly resources: EngineResources,
    private readonly dispatch: DispatchSystem,
  ) {}

  async play(jobRunId: string, by: string | null): Promise<void> {
    const now = this.resources.now();
    const items = await this.resources.store.transaction(async (tx) => {
      const stored = await tx.lockRunOfJobRun(jobRunId);
      if (stored === undefined) throw notFound('job run', jobRunId);
      const step = playJobRun(toRunState(stored.run, stored.jobRuns), jobRunId, now);
      // An ended run opens again: in its concurrency group again, its timeout from now.
      if (isTerminal(stored.run.status)) await reenterRun(tx, stored, jobRunId, now);
      return persistAndEnd(tx, stored, step, now);
    });
    this.resources.logger.info({ jobRunId, by }, 'manual job run played');
    await this.dispatch.enqueue(items);
  }
}
