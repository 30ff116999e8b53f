import type { Logger } from '@fluxi/common';
import { parseTraceparent, startLongSpan, taskTraceparent } from '@fluxi/telemetry';
import { trace } from '@opentelemetry/api';
import { errorSummary } from '../../domain/error-summary.js';
import type { RunTracing } from '../../engine/resources.js';
import type { StoredRunTrace, TraceStore } from '../../store/trace-store.js';

/** The OpenTelemetry instrumentation scope of the scheduler's spans. */
export const SCHEDULER_SCOPE = '@fluxi/scheduler';
export const RUN_SPAN = 'cicd.pipeline.run';
export const TASK_SPAN = 'cicd.pipeline.task';

/** Runs whose trace context is kept in memory (those this scheduler triggered or dispatched lately). */
const CACHED_RUNS = 10_000;

/**
 * Tracing for the run engine (only made with tracing on): a new run's span ids, decided at
 * trigger as a child of the request that triggered it and stored with the run; and the
 * traceparent an attempt carries to its executor, the job run's task span (its id derived
 * from the job run's id), read from memory or, for a run another replica triggered, the store.
 */
export class RunTraces implements RunTracing {
  private readonly tracer = trace.getTracer(SCHEDULER_SCOPE);
  private readonly cache = new Map<string, StoredRunTrace | null>();

  constructor(
    private readonly store: TraceStore,
    private readonly logger: Logger,
  ) {}

  startRun(runId: string): StoredRunTrace | undefined {
    const span = startLongSpan(this.tracer, RUN_SPAN);
    if (span !== undefined) this.remember(runId, span);
    return span;
  }

  async taskParents(items: readonly { jobRunId: string; pipelineRunId: string }[]): Promise<Map<string, string>> {
    const runs = await this.runTraces([...new Set(items.map((item) => item.pipelineRunId))]);
    const parents = new Map<string, string>();
    for (const item of items) {
      const run = parseTraceparent(runs.get(item.pipelineRunId)?.traceparent);
      if (run !== undefined) parents.set(item.jobRunId, taskTraceparent(run, item.jobRunId));
    }
    return parents;
  }

  /** The pipeline's name as frozen in the run (run events after the first leave it out). */
  runName(runId: string): Promise<string> {
    return this.store.runName(runId);
  }

  /** The stored trace context of runs (memory first); a run without one is absent. Never throws. */
  async runTraces(runIds: readonly string[]): Promise<Map<string, StoredRunTrace>> {
    const found = new Map<string, StoredRunTrace>();
    const missing: string[] = [];
    for (const id of runIds) {
      const cached = this.cache.get(id);
      if (cached === undefined) missing.push(id);
      else if (cached !== null) found.set(id, cached);
    }
    if (missing.length === 0) return found;
    try {
      const stored = await this.store.runTraces(missing);
      for (const id of missing) {
        const value = stored.get(id) ?? null;
        this.remember(id, value);
        if (value !== null) found.set(id, value);
      }
    } catch (error) {
      // Tracing never holds a job back: the attempt goes without a trace context.
      this.logger.warn({ err: errorSummary(error) }, 'could not read the trace context of runs');
    }
    return found;
  }

  private remember(runId: string, value: StoredRunTrace | null): void {
    this.cache.delete(runId);
    this.cache.set(runId, value);
    if (this.cache.size > CACHED_RUNS) this.cache.delete(this.cache.keys().next().value as string);
  }
}
