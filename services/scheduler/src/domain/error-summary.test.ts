import { describe, expect, it } from 'vitest';
import { errorSummary, MAX_ERROR_MESSAGE, shortErrorMessage } from './error-summary.js';

/** The shape of a PGlite error: pg's DatabaseError fields plus the query and its parameters. */
function pgliteError(): Error {
  return Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
    name: 'error',
    code: '22021',
    severity: 'ERROR',
    detail: 'Failing row contains (JOB OUTPUT)',
    where: "unnamed portal parameter $1 = 'JOB OUTPUT'",
    query: 'INSERT INTO contexts VALUES ($1)',
    params: ['JOB OUTPUT'.repeat(10_000)],
  });
}

describe('errorSummary', () => {
  it('keeps type, message and code, and none of the fields that may quote data', () => {
    const summary = errorSummary(pgliteError());
    expect(summary).toEqual({
      type: 'error',
      message: 'invalid byte sequence for encoding "UTF8": 0x00',
      code: '22021',
    });
    expect(JSON.stringify(summary)).not.toContain('JOB OUTPUT');
  });

  it('cuts a long message and makes it storable', () => {
    const summary = errorSummary(new Error(`bad\u0000${'x'.repeat(5000)}`));
    expect(summary.message.length).toBe(MAX_ERROR_MESSAGE);
    expect(summary.message.startsWith('bad\uFFFDxxx')).toBe(true);
    expect(summary.message.endsWith('…')).toBe(true);
  });

  it('describes what is not an Error', () => {
    expect(errorSummary('boom')).toEqual({ type: 'string', message: 'boom' });
    expect(errorSummary(undefined)).toEqual({ type: 'undefined', message: 'undefined' });
  });
});

describe('shortErrorMessage', () => {
  it('names the code when there is one', () => {
    expect(shortErrorMessage(pgliteError())).toBe('invalid byte sequence for encoding "UTF8": 0x00 (code 22021)');
    expect(shortErrorMessage(new TypeError('nope'))).toBe('nope');
  });
});
