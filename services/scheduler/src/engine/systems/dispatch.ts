import { ContractVersion, create, ExecuteJobSchema, fromJson, JobSpecSchema } from '@fluxi/contracts';
import type { StoredJson } from '../../store/records.js';
import type { EngineResources } from '../resources.js';

/** One attempt of a job run to hand to the executors; it is already committed as QUEUED. */
export interface DispatchItem {
  readonly jobRunId: string;
  readonly pipelineRunId: string;
  readonly attempt: number;
  /** Proto JSON of the frozen JobSpec. */
  readonly spec: StoredJson;
}

/**
 * Dispatch: puts QUEUED job runs into the executor queue, always after the transaction
 * that queued them committed. A crash or a Redis error in between leaves a QUEUED job
 * run without its queue entry; `recover()` (at start and periodically) adds it again.
 */
export class DispatchSystem {
  constructor(private readonly resources: EngineResources) {}

  /** Enqueues; never throws (a failure is logged and repaired by the next recover()). */
  async enqueue(items: readonly DispatchItem[]): Promise<boolean> {
    if (items.length === 0) return true;
    try {
      await this.resources.queue.enqueue(items.map(toExecuteJob));
      return true;
    } catch (error) {
      this.resources.logger.error(
        { err: error, jobRunIds: items.map((item) => item.jobRunId) },
        'enqueue failed; the job runs stay QUEUED and are enqueued again by the next recovery',
      );
      return false;
    }
  }

  /** Enqueues every QUEUED job run whose attempt the queue does not hold. Returns how many. */
  async recover(): Promise<number> {
    const missing: DispatchItem[] = [];
    for (const jobRun of await this.resources.store.listQueued()) {
      if (await this.resources.queue.holds(jobRun.id, jobRun.attempt)) continue;
      missing.push({
        jobRunId: jobRun.id,
        pipelineRunId: jobRun.pipelineRunId,
        attempt: jobRun.attempt,
        spec: jobRun.spec,
      });
    }
    if (missing.length > 0) {
      this.resources.logger.warn(
        { jobRunIds: missing.map((m) => m.jobRunId) },
        're-enqueuing QUEUED job runs missing from the queue',
      );
      if (!(await this.enqueue(missing))) throw new Error('recovery could not enqueue the missing job runs');
    }
    return missing.length;
  }

  /** Runs recover() every `intervalMs` until stopped. */
  startRecoveryLoop(intervalMs: number): { stop(): Promise<void> } {
    let running: Promise<unknown> | undefined;
    const timer = setInterval(() => {
      if (running !== undefined) return;
      running = this.recover()
        .catch((error: unknown) => this.resources.logger.warn({ err: error }, 'periodic recovery failed'))
        .finally(() => (running = undefined));
    }, intervalMs);
    return {
      async stop() {
        clearInterval(timer);
        await running;
      },
    };
  }
}

function toExecuteJob(item: DispatchItem) {
  return create(ExecuteJobSchema, {
    version: ContractVersion.CONTRACT_VERSION_1,
    jobRunId: item.jobRunId,
    pipelineRunId: item.pipelineRunId,
    job: fromJson(JobSpecSchema, item.spec),
    attempt: item.attempt,
    // Tracing (OpenTelemetry) is not wired yet.
    traceparent: '',
  });
}
