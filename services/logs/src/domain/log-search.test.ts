import { describe, expect, it } from 'vitest';
import { FluxiError } from '@fluxi/common';
import {
  decodeSearchCursor,
  encodeSearchCursor,
  MAX_CONTEXT_LINES,
  MAX_SEARCH_PAGE,
  parseOccurrenceArgs,
  parseSearchArgs,
  parseSearchFilter,
  parseSearchQuery,
  type SearchArgs,
} from './log-search.js';

function fault(run: () => unknown): { field: string | undefined; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FluxiError);
    const fluxi = error as FluxiError;
    expect(fluxi.code).toBe('BAD_USER_INPUT');
    return { field: (fluxi as { field?: string }).field, message: fluxi.message };
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('parseSearchQuery', () => {
  it('reads words, "phrases" and /regexes/', () => {
    expect(parseSearchQuery('  timeout  "connection refused" /exit code \\d+/ db:5432 ')).toEqual([
      { kind: 'text', value: 'timeout' },
      { kind: 'text', value: 'connection refused' },
      { kind: 'regex', value: 'exit code \\d+' },
      { kind: 'text', value: 'db:5432' },
    ]);
    expect(parseSearchQuery('')).toEqual([]);
  });

  it('keeps a slash inside a regex and an escaped quote inside a phrase', () => {
    expect(parseSearchQuery('/a/b\\/c/ "say \\"hi\\""')).toEqual([
      { kind: 'regex', value: 'a/b\\/c' },
      { kind: 'text', value: 'say "hi"' },
    ]);
    // A word with a slash in it is a word, and so is a path without a closing slash.
    expect(parseSearchQuery('src/main.ts /usr/lib/node')).toEqual([
      { kind: 'text', value: 'src/main.ts' },
      { kind: 'text', value: '/usr/lib/node' },
    ]);
  });

  it('refuses what it cannot read, naming the field', () => {
    expect(fault(() => parseSearchQuery('"unclosed'))).toEqual({
      field: 'query',
      message: 'query has a phrase without its closing quote',
    });
    expect(fault(() => parseSearchQuery('//')).message).toBe('query has an empty regular expression //');
    expect(fault(() => parseSearchQuery('""')).message).toBe('query has an empty phrase ""');
    expect(fault(() => parseSearchQuery('x'.repeat(1001))).field).toBe('query');
    expect(fault(() => parseSearchQuery(Array.from({ length: 21 }, (_, i) => `w${i}`).join(' '))).message).toBe(
      'query has more than 20 terms',
    );
  });
});

describe('parseSearchFilter', () => {
  it('keeps what is set, trimmed and without repeats', () => {
    expect(
      parseSearchFilter({
        pipelineId: ' P1 ',
        jobName: 'build',
        jobId: null,
        status: ['FAILED', 'FAILED'],
        levels: ['ERROR', 'WARN'],
        streams: ['STDERR'],
        from: '2026-01-02T00:00:00Z',
        to: '2026-01-03T00:00:00.000Z',
      }),
    ).toEqual({
      pipelineId: 'P1',
      jobName: 'build',
      statuses: ['FAILED'],
      levels: ['ERROR', 'WARN'],
      streams: ['STDERR'],
      fromMs: Date.UTC(2026, 0, 2),
      toMs: Date.UTC(2026, 0, 3),
    });
    expect(parseSearchFilter(null)).toEqual({ statuses: [], levels: [], streams: [] });
  });

  it('names the filter field at fault', () => {
    expect(fault(() => parseSearchFilter({ from: 'yesterday' })).field).toBe('filter.from');
    expect(fault(() => parseSearchFilter({ to: '2026-13-45' })).field).toBe('filter.to');
    expect(fault(() => parseSearchFilter({ from: '2026-01-02', to: '2026-01-01' })).message).toBe(
      'filter.from must be before filter.to',
    );
    expect(fault(() => parseSearchFilter({ jobRunId: ' ' })).field).toBe('filter.jobRunId');
    expect(fault(() => parseSearchFilter({ levels: ['LOUD' as 'ERROR'] })).field).toBe('filter.levels');
  });
});

describe('parseSearchArgs and the cursor', () => {
  const args: SearchArgs = { query: 'boom', filter: { levels: ['ERROR'] } };

  it('defaults to newest first, 2 context lines, 50 hits', () => {
    expect(parseSearchArgs(args)).toMatchObject({ order: 'NEWEST_FIRST', context: 2, first: 50, after: undefined });
  });

  it('checks context and first', () => {
    expect(fault(() => parseSearchArgs({ ...args, context: MAX_CONTEXT_LINES + 1 })).field).toBe('context');
    expect(fault(() => parseSearchArgs({ ...args, context: -1 })).field).toBe('context');
    expect(fault(() => parseSearchArgs({ ...args, first: 0 })).field).toBe('first');
    expect(fault(() => parseSearchArgs({ ...args, first: MAX_SEARCH_PAGE + 1 })).message).toBe(
      'first must be between 1 and 200',
    );
  });

  it('reads back its own cursor, and refuses one of another search or a forged one', () => {
    const { fingerprint } = parseSearchArgs(args);
    const position = { tsMs: 1_767_323_045_601, jobRunId: 'JR1', attempt: 2, seq: 41 };
    const cursor = encodeSearchCursor(fingerprint, position);
    expect(decodeSearchCursor(cursor)).toEqual({ fingerprint, position });
    expect(parseSearchArgs({ ...args, after: cursor }).after).toEqual(position);
    expect(fault(() => parseSearchArgs({ ...args, query: 'other', after: cursor })).message).toBe(
      'after is a cursor of another search: query, filter and order must stay the same',
    );
    expect(fault(() => parseSearchArgs({ ...args, order: 'OLDEST_FIRST', after: cursor })).field).toBe('after');
    expect(fault(() => parseSearchArgs({ ...args, after: 'not-a-cursor' })).field).toBe('after');
    const forged = Buffer.from(JSON.stringify([1, fingerprint, -5, 'JR1', 1, 1])).toString('base64url');
    expect(decodeSearchCursor(forged)).toBeUndefined();
    expect(decodeSearchCursor('')).toBeUndefined();
  });
});

describe('parseOccurrenceArgs', () => {
  it('needs something to look for', () => {
    expect(fault(() => parseOccurrenceArgs({ query: '  ' }))).toEqual({
      field: 'query',
      message: 'query must name what to look for',
    });
    expect(parseOccurrenceArgs({ query: 'OOMKilled' }).terms).toEqual([{ kind: 'text', value: 'OOMKilled' }]);
  });
});
