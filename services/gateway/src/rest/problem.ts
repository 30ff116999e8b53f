import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import { isFluxiError, type Logger } from '@fluxi/common';

/** HTTP status of each Fluxi error code; any other code is 500. */
export const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

/** An RFC 9457 problem document, with Fluxi's error code and, for bad input, the field at fault. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  field?: string;
  /** Quoted by internal errors: the id under which the server logged the cause. */
  errorId?: string;
}

export interface ProblemParts {
  code: string;
  detail: string;
  field?: string | undefined;
  errorId?: string | undefined;
}

/** `type` is about:blank, so `title` is the status's reason phrase (RFC 9457 §4.2.1). */
export function problem({ code, detail, field, errorId }: ProblemParts): Problem {
  const status = STATUS_OF_CODE[code] ?? 500;
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(field === undefined ? {} : { field }),
    ...(errorId === undefined ? {} : { errorId }),
  };
}

export function writeProblem(res: Response, body: Problem): void {
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}

/**
 * Answers an error as application/problem+json. A FluxiError says what it is; anything else is
 * logged under a new error id that the answer quotes, and the answer says no more (no stack trace,
 * no server path).
 */
export function sendProblem(res: Response, error: unknown, logger?: Logger): void {
  if (isFluxiError(error)) {
    writeProblem(res, problem({ code: error.code, detail: error.message, field: error.field }));
    return;
  }
  const errorId = randomUUID();
  logger?.error({ err: error, errorId }, 'REST request failed');
  writeProblem(res, problem({ code: 'INTERNAL', detail: 'internal error', errorId }));
}
