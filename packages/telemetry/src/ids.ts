import { randomBytes } from 'node:crypto';
import type { Context, Span, SpanOptions, Tracer } from '@opentelemetry/api';

/**
 * The SDK's id generator, able to hand out ids decided earlier: a span that lasts longer
 * than one process or transaction (a pipeline run, a job run) is given its ids when it
 * starts, stored or derived, and exported with them when it ends (see spans.ts).
 */
export class SettableIdGenerator {
  private forced: { traceId?: string | undefined; spanId?: string | undefined } | undefined;

  generateTraceId(): string {
    const id = this.forced?.traceId;
    if (id === undefined) return randomBytes(16).toString('hex');
    this.forced = { ...this.forced, traceId: undefined };
    return id;
  }

  generateSpanId(): string {
    const id = this.forced?.spanId;
    if (id === undefined) return randomBytes(8).toString('hex');
    this.forced = { ...this.forced, spanId: undefined };
    return id;
  }

  /** Starts a span with the given span id (and trace id, for a root span). Synchronous, so nothing else interleaves. */
  startSpan(
    tracer: Tracer,
    name: string,
    options: SpanOptions,
    parent: Context,
    ids: { traceId?: string; spanId: string },
  ): Span {
    this.forced = ids;
    try {
      return tracer.startSpan(name, options, parent);
    } finally {
      this.forced = undefined;
    }
  }
}

/** The one generator of this process, given to the SDK when tracing starts. */
export const idGenerator = new SettableIdGenerator();
