import express, { type Express, type Request, type Response } from 'express';
import { FluxiError, type Logger } from '@fluxi/common';
import {
  ContractVersion,
  create,
  LoginRequestSchema,
  LoginResponseSchema,
  LogoutRequestSchema,
  LogoutResponseSchema,
  Role,
  Subjects,
} from '@fluxi/contracts';
import { request, type NatsConnection } from '@fluxi/messaging';
import { addressOf, sendError, type AuthedRequest } from '../transport/auth.js';
import type { AuditLog } from './audit-log.js';
import type { AuthLimiter } from './auth-limiter.js';

const ROLES: Record<number, string> = { [Role.READER]: 'reader', [Role.WRITER]: 'writer', [Role.ADMIN]: 'admin' };

export interface SessionRouteDeps {
  nc: NatsConnection;
  limiter: AuthLimiter;
  audit: AuditLog;
  logger: Logger;
}

/**
 * `POST /api/v1/auth/login` (`{"name", "password"}` → a session token, used as `Authorization:
 * Bearer <token>` like an API key, until it expires) — open, rate-limited per user name and per
 * address, audited. Mount it before the API key check of `/api/v1`.
 */
export function mountLogin(app: Express, { nc, limiter, audit, logger }: SessionRouteDeps): void {
  app.post('/api/v1/auth/login', express.json({ limit: '16kb' }), (req: Request, res: Response) => {
    const address = addressOf(req);
    void (async () => {
      const { name, password } = credentialsOf(req.body);
      const limitKey = `user:${name}`;
      const retryAfter = await limiter.retryAfterSec(limitKey, address);
      if (retryAfter > 0) {
        res.setHeader('Retry-After', String(retryAfter));
        audit.record({
          action: 'auth.login',
          outcome: 'denied',
          target: name,
          address,
          details: { reason: 'rate limited' },
        });
        throw new FluxiError('RATE_LIMITED', `too many failed logins: try again in ${retryAfter} s`);
      }
      const reply = await request(
        nc,
        Subjects.authLogin,
        { request: LoginRequestSchema, response: LoginResponseSchema },
        create(LoginRequestSchema, { version: ContractVersion.CONTRACT_VERSION_1, name, password }),
      );
      if (reply.result.case !== 'session') {
        const refused = reply.result.case === 'error' && reply.result.value.code === 'UNAUTHENTICATED';
        if (refused) {
          await limiter.failed(limitKey, address);
          logger.warn({ address }, 'refused a login');
        }
        audit.record({ action: 'auth.login', outcome: refused ? 'denied' : 'failure', target: name, address });
        throw refused
          ? new FluxiError('UNAUTHENTICATED', reply.result.value?.message ?? 'wrong user name or password')
          : new FluxiError('INTERNAL', 'internal error');
      }
      const session = reply.result.value;
      const principal = session.principal;
      audit.record({
        action: 'auth.login',
        outcome: 'success',
        target: name,
        address,
        userId: principal?.userId,
        userName: principal?.userName,
        keyId: principal?.keyId,
      });
      res.status(200).json({
        token: session.token,
        expiresAt: new Date(Number(session.expiresAtMs)).toISOString(),
        user: { id: principal?.userId, name: principal?.userName, role: ROLES[principal?.role ?? Role.READER] },
      });
    })().catch((error: unknown) => sendError(req, res, error));
  });
}

/** The user name and password of a login body, or bad input at the field that is missing. */
function credentialsOf(body: unknown): { name: string; password: string } {
  const { name, password } = (body ?? {}) as { name?: unknown; password?: unknown };
  if (typeof name !== 'string' || name === '')
    throw new FluxiError('BAD_USER_INPUT', 'name is required', { field: 'name' });
  if (typeof password !== 'string' || password === '')
    throw new FluxiError('BAD_USER_INPUT', 'password is required', { field: 'password' });
  return { name, password };
}

/** `POST /api/v1/auth/logout`: ends the session whose token authenticated the request (204). Behind the key check. */
export function mountLogout(app: Express, { nc, audit }: SessionRouteDeps): void {
  app.post('/api/v1/auth/logout', (req: AuthedRequest, res: Response) => {
    const principal = req.principal;
    void (async () => {
      if (principal === undefined) throw new FluxiError('UNAUTHENTICATED', 'an API key is required');
      const reply = await request(
        nc,
        Subjects.authLogout,
        { request: LogoutRequestSchema, response: LogoutResponseSchema },
        create(LogoutRequestSchema, { version: ContractVersion.CONTRACT_VERSION_1, sessionId: principal.keyId }),
      );
      if (!reply.ended)
        throw new FluxiError(
          'BAD_USER_INPUT',
          'this request was not made with a login session token (API keys are revoked, not logged out)',
        );
      audit.record({
        action: 'auth.logout',
        outcome: 'success',
        userId: principal.userId,
        userName: principal.userName,
        keyId: principal.keyId,
        address: addressOf(req),
      });
      res.status(204).end();
    })().catch((error: unknown) => sendError(req, res, error));
  });
}
