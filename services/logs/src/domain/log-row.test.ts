import { describe, expect, it } from 'vitest';
import { ContractVersion, create, LogChunkSchema, LogStream } from '@fluxi/contracts';
import { MalformedChunkError, rowsFromChunk } from './log-row.js';

const chunk = (lines: Array<{ seq?: bigint; stream?: LogStream; attempt?: number; tsMs?: bigint; text?: string }>) =>
  create(LogChunkSchema, {
    version: ContractVersion.CONTRACT_VERSION_1,
    jobRunId: 'JR1',
    pipelineRunId: 'R1',
    lines: lines.map((line, i) => ({
      seq: line.seq ?? BigInt(i + 1),
      stream: line.stream ?? LogStream.STDOUT,
      attempt: line.attempt ?? 1,
      tsMs: line.tsMs ?? 1_700_000_000_123n,
      text: line.text ?? `line ${i + 1}`,
    })),
  });

describe('rowsFromChunk', () => {
  it('maps every line with its stream, attempt and time', () => {
    const rows = rowsFromChunk(
      chunk([
        { stream: LogStream.STDOUT },
        { stream: LogStream.STDERR, text: '' },
        { stream: LogStream.SYSTEM, attempt: 2 },
      ]),
    );
    expect(rows).toEqual([
      {
        jobRunId: 'JR1',
        pipelineRunId: 'R1',
        attempt: 1,
        seq: 1,
        stream: 'STDOUT',
        text: 'line 1',
        tsMs: 1_700_000_000_123,
      },
      { jobRunId: 'JR1', pipelineRunId: 'R1', attempt: 1, seq: 2, stream: 'STDERR', text: '', tsMs: 1_700_000_000_123 },
      {
        jobRunId: 'JR1',
        pipelineRunId: 'R1',
        attempt: 2,
        seq: 3,
        stream: 'SYSTEM',
        text: 'line 3',
        tsMs: 1_700_000_000_123,
      },
    ]);
  });

  it('accepts an empty chunk', () => {
    expect(rowsFromChunk(chunk([]))).toEqual([]);
  });

  it.each([
    ['an unspecified stream', { stream: LogStream.UNSPECIFIED }, /lines\[0\]\.stream/],
    ['seq 0', { seq: 0n }, /lines\[0\]\.seq/],
    ['a seq beyond a GraphQL Int', { seq: 2n ** 31n }, /lines\[0\]\.seq/],
    ['attempt 0', { attempt: 0 }, /lines\[0\]\.attempt/],
    ['a negative time', { tsMs: -1n }, /lines\[0\]\.ts_ms/],
  ])('refuses %s', (_name, line, message) => {
    expect(() => rowsFromChunk(chunk([line]))).toThrow(MalformedChunkError);
    expect(() => rowsFromChunk(chunk([line]))).toThrow(message);
  });

  it('refuses a chunk without job run or pipeline run', () => {
    expect(() => rowsFromChunk({ ...chunk([{}]), jobRunId: '' })).toThrow(/job_run_id/);
    expect(() => rowsFromChunk({ ...chunk([{}]), pipelineRunId: '' })).toThrow(/pipeline_run_id/);
  });
});
