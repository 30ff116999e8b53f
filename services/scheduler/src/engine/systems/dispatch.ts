import { ContractVersion, create, ExecuteJobSchema, fromJson, JobSpecSchema } from '@fluxi/contracts';
import type { JobRunRecord, StoredJson } from '../../store/records.js';
import { dispatchItems } from '../persist.js';
import { startLoop } from '../loop.js';
import type { EngineResources } from '../resources.js';
import { errorSummary } from '../../domain/error-summary.js';

/** One attempt of a job run to hand to the executors; it is already committed as QUEUED. */
export interface DispatchItem {
  readonly jobRunId: string;
  readonly pipelineRunId: string;
  readonly attempt: number;
  /** Proto JSON of the frozen JobSpec. */
  readonly spec: StoredJson;
  /** Retry backoff still to wait. */
  readonly delayMs: number;
  /** Job runs whose artifacts the attempt receives (those it waits for). */
  readonly artifactsFrom: readonly { name: string; jobRunId: string }[];
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
      await this.resources.queue.enqueue(items.map((item) => ({ job: toExecuteJob(item), delayMs: item.delayMs })));
      return true;
    } catch (error) {
      this.resources.logger.error(
        { err: errorSummary(error), jobRunIds: items.map((item) => item.jobRunId) },
        'enqueue failed; the job runs stay QUEUED and are enqueued again by the next recovery',
      );
      return false;
    }
  }

  /** Enqueues every QUEUED job run whose attempt the queue does not hold. Returns how many. */
  async recover(): Promise<number> {
    const { store, queue } = this.resources;
    const missing: JobRunRecord[] = [];
    for (const jobRun of await store.listQueued()) {
      if (!(await queue.holds(jobRun.id, jobRun.attempt))) missing.push(jobRun);
    }
    if (missing.length === 0) return 0;
    const runIds = [...new Set(missing.map((jobRun) => jobRun.pipelineRunId))];
    const all = await store.jobRunsOf(runIds);
    const now = this.resources.now();
    const items = runIds.flatMap((runId) =>
      dispatchItems(
        runId,
        all.filter((jobRun) => jobRun.pipelineRunId === runId),
        missing.filter((jobRun) => jobRun.pipelineRunId === runId),
        now,
      ),
    );
    this.resources.logger.warn(
      { jobRunIds: items.map((item) => item.jobRunId) },
      're-enqueuing QUEUED job runs missing from the queue',
    );
    if (!(await this.enqueue(items))) throw new Error('recovery could not enqueue the missing job runs');
    return items.length;
  }

  /** Runs recover() every `intervalMs` until stopped. */
  startRecoveryLoop(intervalMs: number): { stop(): Promise<void> } {
    return startLoop(
      intervalMs,
      () => this.recover(),
      (error) => this.resources.logger.warn({ err: errorSummary(error) }, 'periodic recovery failed'),
    );
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
    artifactsFrom: item.artifactsFrom.map((source) => ({ name: source.name, jobRunId: source.jobRunId })),
  });
}
