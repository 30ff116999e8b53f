import { describe, expect, it } from 'vitest';
import { FluxiError } from '@fluxi/common';
// The cursor format lives in @fluxi/contracts (the gateway's live follow makes cursors too).
import { decodeLogCursor as decodeCursor, encodeLogCursor as encodeCursor } from '@fluxi/contracts';
import {
  DEFAULT_PAGE_SIZE,
  logQueryFor,
  MAX_PAGE_SIZE,
  parseLogPageArgs,
  toPage,
  type LogPageArgs,
} from './log-query.js';

function badInput(run: () => unknown): FluxiError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FluxiError);
    expect((error as FluxiError).code).toBe('BAD_USER_INPUT');
    return error as FluxiError;
  }
  throw new Error('expected BAD_USER_INPUT');
}

const fieldOf = (args: LogPageArgs): string | undefined => badInput(() => parseLogPageArgs(args)).field;
const seqs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i }));

describe('cursors', () => {
  it('read back what they were made from, and are base64url', () => {
    for (const cursor of [
      { attempt: 1, seq: 0 },
      { attempt: 3, seq: 1000 },
      { attempt: 0xffff_ffff, seq: Number.MAX_SAFE_INTEGER },
    ]) {
      const text = encodeCursor(cursor);
      expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(text)).toEqual(cursor);
    }
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'MS4x!'],
    ['base64 padding', `${encodeCursor({ attempt: 1, seq: 1 })}=`],
    ['another text', Buffer.from('hello').toString('base64url')],
    ['attempt 0', Buffer.from('0.5').toString('base64url')],
    ['a leading zero', Buffer.from('01.5').toString('base64url')],
    ['a negative seq', Buffer.from('1.-5').toString('base64url')],
    ['a seq beyond 2^53', Buffer.from('1.9007199254740993').toString('base64url')],
    ['an attempt beyond UInt32', Buffer.from('4294967296.1').toString('base64url')],
    ['too long', 'A'.repeat(65)],
  ])('refuse %s', (_what, text) => expect(decodeCursor(text)).toBeUndefined());
});

describe('parseLogPageArgs', () => {
  it('defaults to the latest attempt from the start, 1000 lines; null means unset', () => {
    expect(parseLogPageArgs({ jobRunId: ' JR1 ', attempt: null, after: null, first: null })).toEqual({
      jobRunId: 'JR1',
      attempt: undefined,
      attemptFrom: undefined,
      after: undefined,
      first: DEFAULT_PAGE_SIZE,
      levels: [],
    });
    expect(DEFAULT_PAGE_SIZE).toBe(1000);
    expect(MAX_PAGE_SIZE).toBe(10_000);
  });

  it('takes the attempt from the cursor when none is given', () => {
    const after = encodeCursor({ attempt: 2, seq: 40 });
    expect(parseLogPageArgs({ jobRunId: 'JR1', after, first: 0 })).toEqual({
      jobRunId: 'JR1',
      attempt: 2,
      attemptFrom: 'after',
      after: { attempt: 2, seq: 40 },
      first: 0,
      levels: [],
    });
    expect(parseLogPageArgs({ jobRunId: 'JR1', attempt: 2, after, first: MAX_PAGE_SIZE })).toMatchObject({
      attempt: 2,
      attemptFrom: 'attempt',
      first: MAX_PAGE_SIZE,
    });
  });

  it('names the argument at fault', () => {
    expect(fieldOf({ jobRunId: ' ' })).toBe('jobRunId');
    expect(fieldOf({ jobRunId: 'JR1', attempt: 0 })).toBe('attempt');
    expect(fieldOf({ jobRunId: 'JR1', after: 'not a cursor' })).toBe('after');
    expect(fieldOf({ jobRunId: 'JR1', after: '' })).toBe('after');
    expect(fieldOf({ jobRunId: 'JR1', attempt: 1, after: encodeCursor({ attempt: 2, seq: 1 }) })).toBe('after');
    expect(fieldOf({ jobRunId: 'JR1', first: -1 })).toBe('first');
    expect(fieldOf({ jobRunId: 'JR1', first: MAX_PAGE_SIZE + 1 })).toBe('first');
    expect(fieldOf({ jobRunId: 'JR1', levels: ['LOUD' as 'ERROR'] })).toBe('levels');
  });

  it('says what a cursor is for', () => {
    expect(badInput(() => parseLogPageArgs({ jobRunId: 'JR1', after: 'x' })).message).toBe(
      'after is not a cursor of jobRunLogs: pass the nextCursor of an earlier page',
    );
    expect(badInput(() => parseLogPageArgs({ jobRunId: 'JR1', first: 10_001 })).message).toBe(
      'first must be between 0 and 10000',
    );
  });
});

describe('logQueryFor', () => {
  it('reads the latest attempt unless one is asked, one line more than the page', () => {
    expect(logQueryFor(parseLogPageArgs({ jobRunId: 'JR1', first: 10 }), 3)).toEqual({
      jobRunId: 'JR1',
      attempt: 3,
      afterSeq: undefined,
      limit: 11,
      levels: [],
    });
    expect(logQueryFor(parseLogPageArgs({ jobRunId: 'JR1', levels: ['ERROR', 'WARN', 'ERROR'] }), 1).levels).toEqual([
      'ERROR',
      'WARN',
    ]);
    const after = encodeCursor({ attempt: 2, seq: 7 });
    expect(logQueryFor(parseLogPageArgs({ jobRunId: 'JR1', after }), 3)).toMatchObject({ attempt: 2, afterSeq: 7 });
    expect(logQueryFor(parseLogPageArgs({ jobRunId: 'JR1', attempt: 1 }), 3)).toMatchObject({ attempt: 1 });
  });

  it('refuses an attempt the job run has not reached, naming the argument that asked', () => {
    const asked = badInput(() => logQueryFor(parseLogPageArgs({ jobRunId: 'JR1', attempt: 4 }), 3));
    expect(asked).toMatchObject({ field: 'attempt', message: 'job run JR1 has no attempt 4: its latest is 3' });
    const after = encodeCursor({ attempt: 4, seq: 1 });
    expect(badInput(() => logQueryFor(parseLogPageArgs({ jobRunId: 'JR1', after }), 3)).field).toBe('after');
  });
});

describe('toPage', () => {
  const pageOf = (args: Omit<LogPageArgs, 'jobRunId'>, read: { seq: number }[], total: number, latest = 1) => {
    const request = parseLogPageArgs({ jobRunId: 'JR1', ...args });
    return toPage(request, logQueryFor(request, latest), read, total);
  };

  it('keeps `first` lines and tells there are more from the extra one', () => {
    const page = pageOf({ first: 3 }, seqs(1, 4), 10);
    expect(page).toEqual({
      lines: seqs(1, 3),
      attempt: 1,
      totalCount: 10,
      nextCursor: encodeCursor({ attempt: 1, seq: 3 }),
      hasMore: true,
    });
  });

  it('ends with hasMore false and a cursor after the last line, to follow a running job', () => {
    const page = pageOf({ first: 3, after: encodeCursor({ attempt: 2, seq: 8 }) }, seqs(9, 10), 10, 2);
    expect(page).toMatchObject({ attempt: 2, hasMore: false, nextCursor: encodeCursor({ attempt: 2, seq: 10 }) });
  });

  it('gives back the cursor it was asked after on an empty page, and none without one', () => {
    const after = encodeCursor({ attempt: 1, seq: 10 });
    expect(pageOf({ after }, [], 10)).toMatchObject({ lines: [], nextCursor: after, hasMore: false });
    expect(pageOf({}, [], 0)).toEqual({ lines: [], attempt: 1, totalCount: 0, nextCursor: null, hasMore: false });
  });

  it('answers first: 0 with the count only', () => {
    expect(pageOf({ first: 0 }, seqs(1, 1), 5)).toEqual({
      lines: [],
      attempt: 1,
      totalCount: 5,
      nextCursor: null,
      hasMore: true,
    });
  });
});
