import { shortText } from './safe-text.js';

/** Longest error message kept in a log line, a dead letter or a job run's reason. */
export const MAX_ERROR_MESSAGE = 300;

/** What of an error may be logged or stored. */
export interface ErrorSummary {
  readonly type: string;
  readonly message: string;
  readonly code?: string;
}

/**
 * An error reduced to its type, its message (cut short, made storable) and its code.
 * Nothing else of it is kept: a PGlite error holds the failed query and its parameter
 * values (a job's whole output), and a PostgreSQL error's `detail` and `where` may quote
 * the row or a parameter.
 */
export function errorSummary(error: unknown): ErrorSummary {
  if (!(error instanceof Error)) {
    return { type: typeof error, message: shortText(String(error), MAX_ERROR_MESSAGE) };
  }
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name || error.constructor.name,
    message: shortText(error.message, MAX_ERROR_MESSAGE),
    ...(typeof code === 'string' || typeof code === 'number' ? { code: shortText(String(code), 40) } : {}),
  };
}

/** One short line naming an error, for a dead letter or a reason: its message and, when it has one, its code. */
export function shortErrorMessage(error: unknown): string {
  const { message, code } = errorSummary(error);
  return code === undefined ? message : `${message} (code ${code})`;
}
