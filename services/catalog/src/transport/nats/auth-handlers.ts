import type { Logger } from '@fluxi/common';
import {
  create,
  LoginRequestSchema,
  LoginResponseSchema,
  LogoutRequestSchema,
  LogoutResponseSchema,
  PrincipalSchema,
  Role,
  Subjects,
} from '@fluxi/contracts';
import { serve, type NatsConnection } from '@fluxi/messaging';
import { login } from '../../app/login.js';
import { errorDetail } from './error-detail.js';
import { isSessionId } from '../../domain/api-key.js';
import type { Role as RoleName } from '../../domain/user.js';
import type { AccessStore } from '../../store/access-store.js';

const ROLE: Record<RoleName, Role> = { admin: Role.ADMIN, writer: Role.WRITER, reader: Role.READER };

/** Serves login (a user name and password for a session token) and logout. Returns a function that stops serving. */
export function serveAuthRequests(
  nc: NatsConnection,
  access: AccessStore,
  sessionMs: number,
  logger: Logger,
): () => void {
  const stops = [
    serve(nc, {
      subject: Subjects.authLogin,
      request: LoginRequestSchema,
      response: LoginResponseSchema,
      logger,
      handler: async (req) => {
        try {
          const opened = await login(access, req.name, req.password, sessionMs, logger);
          const principal = create(PrincipalSchema, {
            userId: opened.user.id,
            userName: opened.user.name,
            role: ROLE[opened.user.role],
            keyId: opened.sessionId,
          });
          const session = { token: opened.token, expiresAtMs: BigInt(opened.expiresAt.getTime()), principal };
          return create(LoginResponseSchema, { result: { case: 'session', value: session } });
        } catch (error) {
          const value = errorDetail(error, logger, Subjects.authLogin);
          return create(LoginResponseSchema, { result: { case: 'error', value } });
        }
      },
    }),
    serve(nc, {
      subject: Subjects.authLogout,
      request: LogoutRequestSchema,
      response: LogoutResponseSchema,
      logger,
      handler: async (req) => {
        const ended = isSessionId(req.sessionId) && (await access.revokeSession(req.sessionId));
        if (ended) nc.publish(Subjects.authChanged);
        return create(LogoutResponseSchema, { ended });
      },
    }),
  ];
  return () => stops.forEach((stop) => stop());
}
