import { context, SpanKind, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import { remoteContext, traceparentOf, tracingEnabled } from '@fluxi/telemetry';
import type { AttemptRef } from '../domain/messages.js';
import type { DriverResult } from '../domain/outcome.js';
import type { ValidExecuteJob } from '../domain/payload.js';

export const EXECUTOR_SCOPE = '@fluxi/executor';
export const ATTEMPT_SPAN = 'fluxi.attempt';

/** The trace of one attempt: its span and one child span per step. */
export interface AttemptTrace {
  /** The job's TRACEPARENT (its own spans join the run's trace under this attempt); undefined: none. */
  readonly traceparent: string | undefined;
  /** Runs one step (`fluxi.attempt.<name>`) as a span of the attempt. */
  step<T>(name: string, work: () => Promise<T>): Promise<T>;
}

/** No trace: steps run as they are, no TRACEPARENT. */
export const UNTRACED: AttemptTrace = { traceparent: undefined, step: (_name, work) => work() };

/**
 * The attempt's trace, child of its job run's task span (the ExecuteJob's traceparent).
 * None when the job run is not traced (an empty traceparent). With tracing off in this
 * executor, no span is made, and the job still gets the task span's context as TRACEPARENT,
 * so a build's own spans join the run's trace all the same.
 */
export function startAttemptTrace(
  execute: ValidExecuteJob,
  ref: AttemptRef,
  executorId: string,
): { trace: AttemptTrace; within<T>(work: () => Promise<T>): Promise<T>; end(result: DriverResult): void } | undefined {
  const parent = remoteContext(execute.traceparent);
  if (parent === undefined) return undefined;
  if (!tracingEnabled()) {
    return { trace: { ...UNTRACED, traceparent: execute.traceparent }, within: (work) => work(), end: () => undefined };
  }
  const tracer = trace.getTracer(EXECUTOR_SCOPE);
  const span = tracer.startSpan(
    ATTEMPT_SPAN,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'cicd.pipeline.run.id': ref.pipelineRunId,
        'cicd.pipeline.task.run.id': ref.jobRunId,
        'cicd.pipeline.task.name': execute.job.name,
        'cicd.worker.id': executorId,
        'fluxi.attempt': ref.attempt,
      },
    },
    parent,
  );
  const active: Context = trace.setSpan(parent, span);
  return {
    trace: {
      traceparent: traceparentOf(active),
      step: (name, work) =>
        tracer.startActiveSpan(`${ATTEMPT_SPAN}.${name}`, {}, active, async (step) => {
          try {
            return await work();
          } catch (error) {
            // The type only: a message may quote what the job is given.
            step.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
            throw error;
          } finally {
            step.end();
          }
        }),
    },
    within: (work) => context.with(active, work),
    end: (result) => {
      span.setAttribute('fluxi.attempt.result', result.kind);
      if (result.kind === 'exited') span.setAttribute('process.exit.code', result.exitCode);
      if (result.kind !== 'exited' || result.exitCode !== 0)
        span.setStatus({ code: SpanStatusCode.ERROR, message: result.kind });
      span.end();
    },
  };
}
