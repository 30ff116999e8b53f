import { describe, expect, it } from 'vitest';
import { FluxiError } from '@fluxi/common';
import { DEFAULT_LOG_LIMIT, MAX_LOG_LIMIT, parseLogQuery, type LogQueryArgs } from './log-query.js';

function fieldOf(args: LogQueryArgs): string | undefined {
  try {
    parseLogQuery(args);
  } catch (error) {
    expect(error).toBeInstanceOf(FluxiError);
    expect((error as FluxiError).code).toBe('BAD_USER_INPUT');
    return (error as FluxiError).field;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('parseLogQuery', () => {
  it('defaults to every attempt and 10 000 lines; null means unset', () => {
    expect(parseLogQuery({ jobRunId: 'JR1', attempt: null, afterSeq: null, limit: null })).toEqual({
      jobRunId: 'JR1',
      attempt: undefined,
      afterSeq: undefined,
      limit: DEFAULT_LOG_LIMIT,
    });
  });

  it('keeps attempt, afterSeq and limit', () => {
    expect(parseLogQuery({ jobRunId: 'JR1', attempt: 2, afterSeq: 0, limit: MAX_LOG_LIMIT })).toEqual({
      jobRunId: 'JR1',
      attempt: 2,
      afterSeq: 0,
      limit: MAX_LOG_LIMIT,
    });
  });

  it('names the argument at fault', () => {
    expect(fieldOf({ jobRunId: ' ' })).toBe('jobRunId');
    expect(fieldOf({ jobRunId: 'JR1', attempt: 0 })).toBe('attempt');
    expect(fieldOf({ jobRunId: 'JR1', attempt: 1, afterSeq: -1 })).toBe('afterSeq');
    expect(fieldOf({ jobRunId: 'JR1', afterSeq: 5 })).toBe('afterSeq');
    expect(fieldOf({ jobRunId: 'JR1', limit: 0 })).toBe('limit');
    expect(fieldOf({ jobRunId: 'JR1', limit: MAX_LOG_LIMIT + 1 })).toBe('limit');
  });
});
