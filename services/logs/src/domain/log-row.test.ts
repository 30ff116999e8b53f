import { describe, expect, it } from 'vitest';
import { ContractVersion, create, LogChunkSchema, LogLevel, LogStream } from '@fluxi/contracts';
import { MalformedChunkError, rowsFromChunk } from './log-row.js';

const chunk = (
  lines: Array<{ seq?: bigint; stream?: LogStream; attempt?: number; tsMs?: bigint; text?: string; level?: LogLevel }>,
) =>
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
      level: line.level ?? LogLevel.UNSPECIFIED,
    })),
  });

const base = {
  jobRunId: 'JR1',
  pipelineRunId: 'R1',
  pipelineId: '',
  jobId: '',
  jobName: '',
  level: 'NONE',
  tsMs: 1_700_000_000_123,
  retentionDays: 30,
};

describe('rowsFromChunk', () => {
  it('maps every line with its stream, attempt, level and time, and the default retention', () => {
    const rows = rowsFromChunk(
      chunk([
        { stream: LogStream.STDOUT },
        { stream: LogStream.STDERR, text: '', level: LogLevel.ERROR },
        { stream: LogStream.SYSTEM, attempt: 2, level: LogLevel.WARN },
      ]),
      30,
    );
    expect(rows).toEqual([
      { ...base, attempt: 1, seq: 1, stream: 'STDOUT', text: 'line 1' },
      { ...base, attempt: 1, seq: 2, stream: 'STDERR', text: '', level: 'ERROR' },
      { ...base, attempt: 2, seq: 3, stream: 'SYSTEM', text: 'line 3', level: 'WARN' },
    ]);
  });

  it('carries the chunk labels and its own retention', () => {
    const labelled = {
      ...chunk([{ level: LogLevel.DEBUG }, { level: LogLevel.INFO }]),
      pipelineId: 'P1',
      jobId: 'J1',
      jobName: 'build',
      logRetentionDays: 7,
    };
    expect(rowsFromChunk(labelled, 30)).toEqual([
      {
        ...base,
        pipelineId: 'P1',
        jobId: 'J1',
        jobName: 'build',
        retentionDays: 7,
        attempt: 1,
        seq: 1,
        stream: 'STDOUT',
        text: 'line 1',
        level: 'DEBUG',
      },
      {
        ...base,
        pipelineId: 'P1',
        jobId: 'J1',
        jobName: 'build',
        retentionDays: 7,
        attempt: 1,
        seq: 2,
        stream: 'STDOUT',
        text: 'line 2',
        level: 'INFO',
      },
    ]);
    expect(rowsFromChunk({ ...labelled, logRetentionDays: 1_000_000 }, 30)[0]?.retentionDays).toBe(36_500);
  });

  it('accepts an empty chunk', () => {
    expect(rowsFromChunk(chunk([]), 30)).toEqual([]);
  });

  it.each([
    ['an unspecified stream', { stream: LogStream.UNSPECIFIED }, /lines\[0\]\.stream/],
    ['seq 0', { seq: 0n }, /lines\[0\]\.seq/],
    ['a seq beyond a GraphQL Int', { seq: 2n ** 31n }, /lines\[0\]\.seq/],
    ['attempt 0', { attempt: 0 }, /lines\[0\]\.attempt/],
    ['a negative time', { tsMs: -1n }, /lines\[0\]\.ts_ms/],
  ])('refuses %s', (_name, line, message) => {
    expect(() => rowsFromChunk(chunk([line]), 30)).toThrow(MalformedChunkError);
    expect(() => rowsFromChunk(chunk([line]), 30)).toThrow(message);
  });

  it('refuses a chunk without job run or pipeline run', () => {
    expect(() => rowsFromChunk({ ...chunk([{}]), jobRunId: '' }, 30)).toThrow(/job_run_id/);
    expect(() => rowsFromChunk({ ...chunk([{}]), pipelineRunId: '' }, 30)).toThrow(/pipeline_run_id/);
  });
});
