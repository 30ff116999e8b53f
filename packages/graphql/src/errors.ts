import { randomBytes } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
import { isFluxiError, type Logger } from '@fluxi/common';

export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * The error a resolver threw, out of the GraphQLError that wraps it (as Apollo's
 * `unwrapResolverError`, without `instanceof`, which fails across two copies of graphql).
 */
function unwrapResolverError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const { path, originalError } = error as { path?: unknown; originalError?: unknown };
  return path !== undefined && originalError !== undefined && originalError !== null ? originalError : error;
}

/** A short id for one internal error, quoted in the answer and in the server's log line. */
export const newErrorId = (): string => randomBytes(6).toString('hex');

/**
 * Turns domain errors into GraphQL errors with `extensions.code` and, for bad input,
 * `extensions.field` (and `line`, `column` for a fault in a file). An unexpected error is
 * logged with a new error id (`logger`), and answered `internal error (error id …)` with
 * `extensions.errorId`. Never a stack trace or a server path in an answer.
 */
export function createFormatError(logger?: Logger): FormatError {
  return (formatted, error) => {
    const original = unwrapResolverError(error);
    if (isFluxiError(original) && original.code !== 'INTERNAL') {
      return {
        message: original.message,
        ...(formatted.path === undefined ? {} : { path: formatted.path }),
        extensions: {
          code: original.code,
          ...(original.field === undefined ? {} : { field: original.field }),
          ...(original.line === undefined ? {} : { line: original.line }),
          ...(original.column === undefined ? {} : { column: original.column }),
        },
      };
    }
    const code = formatted.extensions?.['code'];
    if (code === 'INTERNAL_SERVER_ERROR' || code === undefined || (code === 'INTERNAL' && isFluxiError(original))) {
      const errorId = newErrorId();
      logger?.error({ err: original, errorId, path: formatted.path }, 'internal error');
      return {
        message: `internal error (error id ${errorId})`,
        ...(formatted.path === undefined ? {} : { path: formatted.path }),
        extensions: { code: 'INTERNAL', errorId },
      };
    }
    // A subgraph's error relayed by the gateway may carry one: drop it.
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  };
}

/** The formatter without a logger (tests, and where no logger is at hand). */
export const formatError: FormatError = createFormatError();
