import type { NextFunction, Request, Response } from 'express';
import { FluxiError, isFluxiError } from '@fluxi/common';
import type { Principal } from '@fluxi/graphql';
import type { KeyVerifier } from './key-verifier.js';

export interface AuthedRequest extends Request {
  principal?: Principal;
}

/** Express middleware: every request needs `Authorization: Bearer <API key>`. */
export function requireApiKey(verifier: KeyVerifier) {
  return (req: AuthedRequest, res: Response, next: NextFunction): void => {
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) {
      sendError(
        res,
        new FluxiError('UNAUTHENTICATED', 'missing API key: send the header "Authorization: Bearer <key>"'),
      );
      return;
    }
    verifier.verify(match[1] as string).then(
      (principal) => {
        req.principal = principal;
        next();
      },
      (error: unknown) => sendError(res, error),
    );
  };
}

/** Answers like a GraphQL server would, so clients see `errors[0].extensions.code`. */
export function sendError(res: Response, error: unknown): void {
  const fluxi = isFluxiError(error) ? error : new FluxiError('INTERNAL', 'internal error');
  const status =
    { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, UNAVAILABLE: 503 }[
      fluxi.code as string
    ] ?? 500;
  res.status(status).json({ errors: [{ message: fluxi.message, extensions: { code: fluxi.code } }] });
}
