/**
 * Domain errors. Thrown by domain and store code; turned into GraphQL errors
 * (extensions.code, extensions.field) or HTTP problems only at the edge.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export interface FluxiErrorOptions {
  /** Dotted path of the input field at fault, e.g. `input.stages[1].entries[0].job`. */
  field?: string;
  /** Where the fault is in a text the user sent (a YAML file): 1-based line and column. */
  line?: number;
  column?: number;
  retryable?: boolean;
  cause?: unknown;
}

export class FluxiError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: FluxiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FluxiError';
    this.code = code;
    this.field = options.field;
    this.line = options.line;
    this.column = options.column;
    this.retryable = options.retryable ?? code === 'UNAVAILABLE';
  }
}

export const badInput = (message: string, field?: string): FluxiError =>
  new FluxiError('BAD_USER_INPUT', message, field === undefined ? {} : { field });

export const notFound = (what: string, id: string): FluxiError =>
  new FluxiError('NOT_FOUND', `${what} ${id} does not exist`);

export function isFluxiError(error: unknown): error is FluxiError {
  return error instanceof FluxiError;
}
