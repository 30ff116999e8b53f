import type { NextFunction, Request, Response } from 'express';
import { FluxiError, isFluxiError, type Logger } from '@fluxi/common';
import type { Principal } from '@fluxi/graphql';
import type { AuditLog } from '../access/audit-log.js';
import type { AuthLimiter } from '../access/auth-limiter.js';
import type { KeyVerifier } from './key-verifier.js';

export interface AuthedRequest extends Request {
  principal?: Principal;
}

export interface AuthDeps {
  verifier: KeyVerifier;
  limiter: AuthLimiter;
  audit: AuditLog;
  logger: Logger;
}

/** What a key is known by in logs, audit entries and the rate limit: `fluxi_<keyId>`, never its secret. */
export function keyPrefixOf(key: string): string {
  return /^(fluxi_[A-Za-z0-9]{1,64})_/.exec(key)?.[1] ?? 'malformed';
}

/** Audits a refused key (`auth.key_refused`) by its key id, never its secret. */
export function auditRefusedKey(
  audit: AuditLog,
  refusal: { prefix: string; address: string; outcome: 'denied' | 'failure'; details: Record<string, unknown> },
): void {
  const { prefix, address, outcome, details } = refusal;
  const keyId = prefix.startsWith('fluxi_') ? prefix.slice('fluxi_'.length) : undefined;
  audit.record({ action: 'auth.key_refused', outcome, keyId, address, details });
}

/** The client's address as this server sees it. */
export const addressOf = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/**
 * Express middleware: every request needs `Authorization: Bearer <API key or session token>`.
 * A refused key is logged, audited (`auth.key_refused`) and counted against its prefix and the
 * client's address; over the limit, both are refused with 429 until the window ends.
 */
export function requireApiKey({ verifier, limiter, audit, logger }: AuthDeps) {
  return (req: AuthedRequest, res: Response, next: NextFunction): void => {
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) {
      sendError(
        req,
        res,
        new FluxiError('UNAUTHENTICATED', 'missing API key: send the header "Authorization: Bearer <key>"'),
      );
      return;
    }
    const key = match[1] as string;
    const prefix = keyPrefixOf(key);
    const address = addressOf(req);
    const refuse = (error: unknown, outcome: 'denied' | 'failure') => {
      const reason = isFluxiError(error) ? error.message : 'internal error';
      auditRefusedKey(audit, { prefix, address, outcome, details: { method: req.method, path: req.path, reason } });
      sendError(req, res, error);
    };
    void (async () => {
      const retryAfter = await limiter.retryAfterSec(prefix, address);
      if (retryAfter > 0) {
        logger.warn({ keyPrefix: prefix, address }, 'refused an authentication: too many failures');
        res.setHeader('Retry-After', String(retryAfter));
        refuse(
          new FluxiError('RATE_LIMITED', `too many failed authentications: try again in ${retryAfter} s`),
          'denied',
        );
        return;
      }
      try {
        req.principal = await verifier.verify(key);
      } catch (error) {
        if (isFluxiError(error) && error.code === 'UNAUTHENTICATED') {
          await limiter.failed(prefix, address);
          logger.warn({ keyPrefix: prefix, address }, 'refused an API key');
          refuse(error, 'denied');
        } else {
          refuse(error, 'failure');
        }
        return;
      }
      next();
    })().catch((error: unknown) => sendError(req, res, error));
  };
}

const STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

/**
 * Answers an error: as `application/problem+json` under `/api/`, elsewhere like a GraphQL server
 * would (`errors[0].extensions.code`). Never a stack trace.
 */
export function sendError(req: Request, res: Response, error: unknown): void {
  const fluxi = isFluxiError(error) ? error : new FluxiError('INTERNAL', 'internal error');
  const status = STATUS[fluxi.code as string] ?? 500;
  if (req.originalUrl.startsWith('/api/')) {
    res
      .status(status)
      .type('application/problem+json')
      .json({
        type: 'about:blank',
        title: fluxi.message,
        status,
        code: fluxi.code,
        ...(fluxi.field === undefined ? {} : { field: fluxi.field }),
      });
    return;
  }
  res.status(status).json({ errors: [{ message: fluxi.message, extensions: { code: fluxi.code } }] });
}
