import { createHash } from 'node:crypto';

/** A span's place in a trace, as W3C Trace Context writes it. */
export interface TraceIds {
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** 16 lowercase hex digits. */
  readonly spanId: string;
  /** Whether the trace is sampled (the traceparent's flag 01). */
  readonly sampled: boolean;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Reads a W3C `traceparent` (version 00); undefined when it is absent or malformed. */
export function parseTraceparent(value: string | null | undefined): TraceIds | undefined {
  if (value === null || value === undefined) return undefined;
  const match = TRACEPARENT.exec(value.trim());
  if (match === null) return undefined;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** Writes a W3C `traceparent` (version 00). */
export function formatTraceparent(ids: TraceIds): string {
  return `00-${ids.traceId}-${ids.spanId}-${ids.sampled ? '01' : '00'}`;
}

/**
 * The span id of a job run's `cicd.pipeline.task` span, derived from its id: the scheduler
 * that dispatches an attempt and the one that ends the job run (maybe another replica, later)
 * name the same span without storing anything per job run.
 */
export function taskSpanId(jobRunId: string): string {
  const id = createHash('sha256').update(`cicd.pipeline.task:${jobRunId}`).digest('hex').slice(0, 16);
  // An all-zero span id is invalid; a sha-256 prefix of zeros is as good as impossible, but cheap to rule out.
  return id === ZERO_SPAN ? '0000000000000001' : id;
}

/** The traceparent of a job run's task span, child of the run span `run`. */
export function taskTraceparent(run: TraceIds, jobRunId: string): string {
  return formatTraceparent({ traceId: run.traceId, spanId: taskSpanId(jobRunId), sampled: run.sampled });
}
