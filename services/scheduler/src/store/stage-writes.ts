import type { StageRunState } from '../domain/stages.js';
import { timestampParam } from './job-run-writes.js';
import { unnestArrays, type PendingStatement, type WriteBehind } from './write-behind.js';

/**
 * Stage records of one transaction, written behind with the job-run updates (see RunTx): one
 * upsert for all of them. A stage changed twice (a step's end, then the next job's start) is
 * written once, as it ended up.
 */
export class StageWrites implements WriteBehind {
  private readonly pending = new Map<string, { runId: string; stage: StageRunState }>();

  add(runId: string, stages: readonly StageRunState[]): void {
    for (const stage of stages) this.pending.set(`${runId}\u0000${stage.index}`, { runId, stage });
  }

  takePending(offset: number): PendingStatement | undefined {
    if (this.pending.size === 0) return undefined;
    const writes = [...this.pending.values()];
    this.pending.clear();
    return {
      sql: `INSERT INTO stage_runs (pipeline_run_id, stage_index, name, status, started_at, ended_at)
       SELECT v.run_id, v.stage_index, v.name, v.status, v.started_at::timestamptz, v.ended_at::timestamptz
       FROM unnest(${unnestArrays(offset, ['text', 'int', 'text', 'text', 'text', 'text'])})
         AS v (run_id, stage_index, name, status, started_at, ended_at)
       ON CONFLICT (pipeline_run_id, stage_index)
       DO UPDATE SET status = EXCLUDED.status, started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at`,
      params: [
        writes.map(({ runId }) => runId),
        writes.map(({ stage }) => stage.index),
        writes.map(({ stage }) => stage.name),
        writes.map(({ stage }) => stage.status),
        writes.map(({ stage }) => timestampParam(stage.startedAt)),
        writes.map(({ stage }) => timestampParam(stage.endedAt)),
      ],
    };
  }
}
