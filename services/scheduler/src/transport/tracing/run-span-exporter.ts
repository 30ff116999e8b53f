import type { Logger } from '@fluxi/common';
import { RunEventSchema, RunStatus, Streams, type RunEvent } from '@fluxi/contracts';
import { decode, startDurableConsumer, type DurableConsumer, type JsMsg, type Nats } from '@fluxi/messaging';
import { exportSpan, parseTraceparent, taskSpanId } from '@fluxi/telemetry';
import { trace } from '@opentelemetry/api';
import { errorSummary } from '../../domain/error-summary.js';
import { spanOfEvent } from '../../domain/trace-spans.js';
import { RUN_SPAN, SCHEDULER_SCOPE, TASK_SPAN, type RunTraces } from './run-tracing.js';

export const TRACES_DURABLE = 'scheduler-traces';
/** Job runs whose queued time is kept until they end. */
const MAX_QUEUED = 100_000;

/**
 * Exports the spans that outlive a transaction, from the run events (only with tracing
 * on): a job run's `cicd.pipeline.task` when it ends, the run's `cicd.pipeline.run` when
 * it ends, each with the ids decided when it started (stored run span, derived task span),
 * so the executors' attempt spans, already exported under them, join. One durable consumer
 * shared by the scheduler replicas: each event is read by one of them; it starts at the
 * events stored after it was first created.
 */
export function startRunSpanExporter(nats: Nats, traces: RunTraces, logger: Logger): Promise<DurableConsumer> {
  const tracer = trace.getTracer(SCHEDULER_SCOPE);
  const queuedAt = new Map<string, number>();
  const handle = async (event: RunEvent): Promise<void> => {
    const { entity } = event;
    if (entity.case === 'jobRun' && entity.value.status === RunStatus.QUEUED && !queuedAt.has(entity.value.jobRunId)) {
      queuedAt.set(entity.value.jobRunId, Number(event.atMs));
      if (queuedAt.size > MAX_QUEUED) queuedAt.delete(queuedAt.keys().next().value as string);
      return;
    }
    const jobRunId = entity.case === 'jobRun' ? entity.value.jobRunId : undefined;
    const span = spanOfEvent(event, jobRunId === undefined ? undefined : queuedAt.get(jobRunId));
    if (span === undefined) return;
    const stored = (await traces.runTraces([span.runId])).get(span.runId);
    const run = parseTraceparent(stored?.traceparent);
    if (stored === undefined || run === undefined) return;
    if (span.kind === 'task') {
      queuedAt.delete(span.jobRunId);
      exportSpan(tracer, {
        name: TASK_SPAN,
        ids: { ...run, spanId: taskSpanId(span.jobRunId) },
        parentSpanId: run.spanId,
        start: span.start,
        end: span.end,
        attributes: span.attributes,
        error: span.error,
      });
    } else {
      const name = span.attributes['cicd.pipeline.name'] || (await traces.runName(span.runId));
      exportSpan(tracer, {
        name: RUN_SPAN,
        ids: run,
        parentSpanId: stored.parentSpanId,
        start: span.start,
        end: span.end,
        attributes: { ...span.attributes, 'cicd.pipeline.name': name },
        error: span.error,
      });
    }
  };
  return startDurableConsumer(nats, {
    stream: Streams.events.name,
    durable: TRACES_DURABLE,
    filterSubject: 'fluxi.events.run.>',
    deliverPolicy: 'new',
    batchSize: 100,
    maxWaitMs: 20,
    logger,
    handle: async (messages: JsMsg[]) => {
      for (const message of messages) {
        try {
          await handle(decode(RunEventSchema, message.data));
        } catch (error) {
          // A span is not worth a redelivery loop: dropped.
          logger.debug({ err: errorSummary(error), seq: message.seq }, 'run event not traced');
        }
      }
    },
  });
}
