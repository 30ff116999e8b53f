import {
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Tracer,
} from '@opentelemetry/api';
import { idGenerator } from './ids.js';
import { formatTraceparent, parseTraceparent, type TraceIds } from './trace-context.js';

/** A long span's ids, decided when it started and stored until it ends. */
export interface StoredSpan {
  /** The span's own W3C traceparent. */
  readonly traceparent: string;
  /** Its parent's span id; null for the root of its trace. */
  readonly parentSpanId: string | null;
}

/**
 * Decides the ids and the sampling of a span that starts now, as a child of the active
 * span (or as a new trace), without recording it here: it is exported by `exportSpan`
 * when it ends, maybe in another process. With tracing off: undefined, at no cost.
 */
export function startLongSpan(tracer: Tracer, name: string): StoredSpan | undefined {
  const active = context.active();
  const parent = trace.getSpanContext(active);
  // Only the ids and the sampler's decision are wanted: this span is never ended.
  const ids = tracer.startSpan(name, {}, active).spanContext();
  if (!isSpanContextValid(ids)) return undefined;
  return {
    traceparent: formatTraceparent({
      traceId: ids.traceId,
      spanId: ids.spanId,
      sampled: (ids.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
    }),
    parentSpanId: parent !== undefined && isSpanContextValid(parent) ? parent.spanId : null,
  };
}

export interface EndedSpan {
  readonly name: string;
  readonly ids: TraceIds;
  readonly parentSpanId: string | null;
  readonly start: Date | number;
  readonly end: Date | number;
  readonly attributes: Attributes;
  /** Set: the span's status is ERROR with this message. */
  readonly error?: string | undefined;
  readonly kind?: SpanKind;
}

/** Exports a span whose ids were decided when it started (startLongSpan, taskSpanId). */
export function exportSpan(tracer: Tracer, span: EndedSpan): void {
  const { ids } = span;
  const parent =
    span.parentSpanId === null
      ? ROOT_CONTEXT
      : trace.setSpanContext(ROOT_CONTEXT, {
          traceId: ids.traceId,
          spanId: span.parentSpanId,
          traceFlags: ids.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
          isRemote: true,
        });
  const started = idGenerator.startSpan(
    tracer,
    span.name,
    {
      kind: span.kind ?? SpanKind.INTERNAL,
      startTime: span.start,
      attributes: span.attributes,
      root: span.parentSpanId === null,
    },
    parent,
    { traceId: ids.traceId, spanId: ids.spanId },
  );
  if (span.error !== undefined) started.setStatus({ code: SpanStatusCode.ERROR, message: span.error });
  started.end(span.end);
}

/** A context whose active span is the (remote) span of `traceparent`; undefined when there is none. */
export function remoteContext(traceparent: string, base: Context = ROOT_CONTEXT): Context | undefined {
  const ids = parseTraceparent(traceparent);
  if (ids === undefined) return undefined;
  return trace.setSpanContext(base, {
    traceId: ids.traceId,
    spanId: ids.spanId,
    traceFlags: ids.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
}

/** The W3C traceparent of the span active in `ctx`; undefined when none is. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const ids = trace.getSpanContext(ctx);
  if (ids === undefined || !isSpanContextValid(ids)) return undefined;
  return formatTraceparent({
    traceId: ids.traceId,
    spanId: ids.spanId,
    sampled: (ids.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
  });
}
