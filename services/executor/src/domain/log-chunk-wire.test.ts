import { describe, expect, it } from 'vitest';
import { ContractVersion, create, LogChunkSchema, LogLevel, LogLineSchema, LogStream } from '@fluxi/contracts';
import { decode, encode } from '@fluxi/messaging';
import { encodeLogChunk } from './log-chunk-wire.js';

const line = (seq: bigint, text: string, more: Partial<{ tsMs: bigint; attempt: number; level: LogLevel }> = {}) =>
  create(LogLineSchema, { seq, stream: LogStream.STDOUT, text, tsMs: 1_733_400_000_123n, attempt: 1, ...more });

const chunk = (
  lines: ReturnType<typeof line>[],
  labels: Partial<Record<'pipelineId' | 'jobId' | 'jobName', string>> = {},
) =>
  create(LogChunkSchema, {
    version: ContractVersion.CONTRACT_VERSION_1,
    jobRunId: 'JR-01J9Z',
    pipelineRunId: 'R-01J9Z',
    logRetentionDays: 30,
    ...labels,
    lines,
  });

/** The chunk as the executor hands it to the encoder: its lines' attempt once. */
const wire = (value: ReturnType<typeof chunk>) => ({ ...value, attempt: value.lines[0]?.attempt ?? 0 });

describe('encodeLogChunk', () => {
  it('writes the same bytes as the generic protobuf encoder', () => {
    const cases = [
      chunk([]),
      chunk([line(1n, 'bench line 1'), line(2n, '')]),
      chunk(
        [
          line(3n, 'émoji 🚀, tab\there, nul \u0000, lone surrogate \ud800 end', {
            level: LogLevel.ERROR,
            attempt: 300,
          }),
          line(4n, 'x'.repeat(70_000), { attempt: 300, level: LogLevel.DEBUG }),
          create(LogLineSchema, { seq: 2n ** 40n, stream: LogStream.SYSTEM, text: 'big seq', attempt: 300 }),
          line(2n ** 63n - 1n, 'last', { tsMs: -5n, attempt: 300 }),
        ],
        { pipelineId: 'P-1', jobId: 'J-1', jobName: 'build ünïcode' },
      ),
      chunk([create(LogLineSchema, { seq: 1n, text: 'attempt 0, stream and time unset' })]),
      create(LogChunkSchema, { jobRunId: 'JR', pipelineRunId: 'R' }),
    ];
    for (const value of cases) {
      const bytes = encodeLogChunk(wire(value));
      expect(Buffer.from(bytes).equals(Buffer.from(encode(LogChunkSchema, value)))).toBe(true);
    }
  });

  it('is read back by the generic decoder, every line as it was', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => line(BigInt(i + 1), `bench line ${i + 1}`, { attempt: 2 }));
    const value = chunk(lines, { jobName: 'print-lines' });
    const back = decode(LogChunkSchema, encodeLogChunk(wire(value)));
    expect(back.lines.map((l) => [l.seq, l.text, l.tsMs, l.attempt])).toEqual(
      lines.map((l) => [l.seq, l.text, l.tsMs, l.attempt]),
    );
    expect(back.jobName).toBe('print-lines');
  });
});
