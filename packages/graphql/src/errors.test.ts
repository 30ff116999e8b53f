import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { FluxiError, type Logger } from '@fluxi/common';
import { createFormatError } from './errors.js';

function recordingLogger(): { logger: Logger; lines: unknown[] } {
  const lines: unknown[] = [];
  const logger = { error: (fields: unknown) => lines.push(fields) } as unknown as Logger;
  return { logger, lines };
}

describe('createFormatError', () => {
  it('answers an unexpected error with an error id, logged with the error, and no stack or path', () => {
    const { logger, lines } = recordingLogger();
    const cause = new Error('ENOENT: no such file /srv/fluxi/data/x');
    const formatted = createFormatError(logger)(
      { message: cause.message, extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at /srv/x.js:1'] } },
      new GraphQLError(cause.message, { originalError: cause, path: ['job'] }),
    );
    const errorId = formatted.extensions?.['errorId'] as string;
    expect(errorId).toMatch(/^[0-9a-f]{12}$/);
    expect(formatted.message).toBe(`internal error (error id ${errorId})`);
    expect(JSON.stringify(formatted)).not.toMatch(/srv|stacktrace/);
    expect(lines).toEqual([expect.objectContaining({ errorId, err: cause })]);
  });

  it('keeps a domain error code and field, and drops a relayed stack trace', () => {
    const format = createFormatError();
    const bad = new FluxiError('BAD_USER_INPUT', 'name is required', { field: 'input.name' });
    expect(format({ message: 'x' }, new GraphQLError('x', { originalError: bad, path: ['createJob'] }))).toEqual({
      message: 'name is required',
      extensions: { code: 'BAD_USER_INPUT', field: 'input.name' },
    });
    const relayed = format({ message: 'no', extensions: { code: 'FORBIDDEN', stacktrace: ['at x'] } }, new Error('no'));
    expect(relayed.extensions).toEqual({ code: 'FORBIDDEN' });
  });
});
