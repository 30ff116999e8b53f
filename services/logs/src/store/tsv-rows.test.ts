import { describe, expect, it } from 'vitest';
import type { LogRow } from '../domain/log-row.js';
import { LABEL_COLUMNS } from './run-labels.js';
import { linesBody, TSV_COLUMNS, tsvField, tsvFromLabels, tsvFromRows, tsvMillis } from './tsv-rows.js';

const row = (seq: number, text: string, jobRunId = 'JR1'): LogRow => ({
  jobRunId,
  pipelineRunId: 'R1',
  pipelineId: 'P1',
  jobId: 'J1',
  jobName: 'build',
  attempt: 2,
  seq,
  stream: 'STDOUT',
  level: 'NONE',
  text,
  tsMs: 1_733_400_000_007 + seq,
  retentionDays: 30,
});

describe('tsvField', () => {
  it('escapes backslash, tab, line breaks and NUL, and leaves the rest as is', () => {
    expect(tsvField('plain text 🚀 "q" \'s\'')).toBe('plain text 🚀 "q" \'s\'');
    expect(tsvField('a\\b\tc\nd\re\u0000f')).toBe('a\\\\b\\tc\\nd\\re\\0f');
    expect(tsvField('\\n is not a newline')).toBe('\\\\n is not a newline');
  });
});

describe('tsvMillis', () => {
  it('writes seconds with three decimals', () => {
    expect(tsvMillis(1_733_400_000_007)).toBe('1733400000.007');
    expect(tsvMillis(1_733_400_000_070)).toBe('1733400000.070');
    expect(tsvMillis(1_733_400_000_700)).toBe('1733400000.700');
    expect(tsvMillis(0)).toBe('0.000');
  });
});

describe('tsvFromRows', () => {
  it('writes one line per row in TSV_COLUMNS order, the job run escaped too', () => {
    const body = tsvFromRows([row(1, 'one\ttwo'), row(2, ''), row(3, 'x', 'JR\t2')]).toString('utf8');
    const lines = body.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1)).toEqual([
      'JR1\t30\t2\t1\tSTDOUT\tNONE\tone\\ttwo\t1733400000.008',
      'JR1\t30\t2\t2\tSTDOUT\tNONE\t\t1733400000.009',
      'JR\\t2\t30\t2\t3\tSTDOUT\tNONE\tx\t1733400000.010',
    ]);
    expect(lines[0]?.split('\t')).toHaveLength(TSV_COLUMNS.length);
  });

  it('is empty for no rows', () => {
    expect(tsvFromRows([]).length).toBe(0);
  });
});

describe('linesBody', () => {
  it('carries the labels of each job run once, the last seen winning', () => {
    const body = linesBody([], [row(1, 'a'), { ...row(2, 'b'), jobName: 'renamed' }, row(3, 'c', 'JR2')]);
    expect(body?.runs).toEqual([
      { jobRunId: 'JR1', pipelineRunId: 'R1', pipelineId: 'P1', jobId: 'J1', jobName: 'renamed' },
      { jobRunId: 'JR2', pipelineRunId: 'R1', pipelineId: 'P1', jobId: 'J1', jobName: 'build' },
    ]);
    expect(body?.lines.toString('utf8').split('\n')).toHaveLength(4);
    expect(linesBody([], [])).toBeUndefined();
  });
});

describe('tsvFromLabels', () => {
  it('writes one line per job run in LABEL_COLUMNS order, escaped', () => {
    const runs = [{ jobRunId: 'JR\t1', pipelineRunId: 'R1', pipelineId: '', jobId: 'J1', jobName: 'a\\b\nc' }];
    const line = tsvFromLabels(runs, 1_733_400_000_007).toString('utf8');
    expect(line).toBe('JR\\t1\tR1\t\tJ1\ta\\\\b\\nc\t1733400000.007\n');
    expect(line.slice(0, -1).split('\t')).toHaveLength(LABEL_COLUMNS.length);
  });
});
