import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { isFluxiError } from '@fluxi/common';

/**
 * Turns domain errors into GraphQL errors with `extensions.code` and, for bad input,
 * `extensions.field` (and `line`, `column` for a fault in a file); hides the details of
 * unexpected errors.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (isFluxiError(original)) {
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
  if (code === 'INTERNAL_SERVER_ERROR' || code === undefined) {
    return { ...formatted, message: 'internal error', extensions: { code: 'INTERNAL' } };
  }
  // Never a stack trace or a server path in an answer (a subgraph's error relayed by the gateway carries one).
  const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
  return { ...formatted, extensions };
}
