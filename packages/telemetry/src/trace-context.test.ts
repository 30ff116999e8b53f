import { describe, expect, it } from 'vitest';
import { formatTraceparent, parseTraceparent, taskSpanId, taskTraceparent } from './trace-context.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('traceparent', () => {
  it('reads and writes version 00 with the sampled flag', () => {
    const ids = parseTraceparent(`00-${TRACE}-00f067aa0ba902b7-01`);
    expect(ids).toEqual({ traceId: TRACE, spanId: '00f067aa0ba902b7', sampled: true });
    expect(formatTraceparent(ids as NonNullable<typeof ids>)).toBe(`00-${TRACE}-00f067aa0ba902b7-01`);
    expect(parseTraceparent(`00-${TRACE}-00f067aa0ba902b7-00`)?.sampled).toBe(false);
  });

  it('refuses what is not a valid traceparent', () => {
    for (const bad of [
      undefined,
      null,
      '',
      `01-${TRACE}-00f067aa0ba902b7-01`,
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `00-${TRACE.toUpperCase()}-00f067aa0ba902b7-01`,
      `00-${TRACE}-00f067aa0ba902b7`,
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });
});

describe('task span ids', () => {
  it('are stable per job run and differ between job runs', () => {
    expect(taskSpanId('JR01')).toBe(taskSpanId('JR01'));
    expect(taskSpanId('JR01')).not.toBe(taskSpanId('JR02'));
    expect(taskSpanId('JR01')).toMatch(/^[0-9a-f]{16}$/);
  });

  it("keep the run's trace id and sampling", () => {
    const run = { traceId: TRACE, spanId: '00f067aa0ba902b7', sampled: false };
    expect(taskTraceparent(run, 'JR01')).toBe(`00-${TRACE}-${taskSpanId('JR01')}-00`);
  });
});
