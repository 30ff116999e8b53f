import { FluxiError, IdPrefix, type Logger } from '@fluxi/common';
import { generateApiKey } from '../domain/api-key.js';
import { decoyHash, passwordMatches } from '../domain/password.js';
import type { Role } from '../domain/user.js';
import type { AccessStore } from '../store/access-store.js';

/** What a client is told for an unknown user, a wrong password, a user without a password or a disabled one. */
export const LOGIN_REFUSED_MESSAGE = 'wrong user name or password';

export interface OpenedSession {
  /** fluxi_<sessionId>_<secret>, shown once. */
  token: string;
  sessionId: string;
  expiresAt: Date;
  user: { id: string; name: string; role: Role };
}

/**
 * Checks a user name and password and opens a session of `ttlMs`. Every refusal answers the same
 * and takes as long (an unknown user is checked against a decoy hash); the cause goes to the log.
 */
export async function login(
  store: AccessStore,
  name: string,
  password: string,
  ttlMs: number,
  logger: Logger,
): Promise<OpenedSession> {
  const user = await store.findLoginUser(name);
  const matches = await passwordMatches(password, user?.passwordHash ?? (await decoyHash()));
  const cause =
    user === undefined
      ? 'unknown user'
      : user.passwordHash === null
        ? 'no password set'
        : !matches
          ? 'wrong password'
          : user.disabledAt !== null
            ? 'user disabled'
            : undefined;
  if (user === undefined || cause !== undefined) {
    logger.info({ cause, userId: user?.id }, 'refused a login');
    throw new FluxiError('UNAUTHENTICATED', LOGIN_REFUSED_MESSAGE);
  }
  const token = generateApiKey(IdPrefix.session);
  const expiresAt = new Date(Date.now() + ttlMs);
  await store.createSession(user.id, token, expiresAt);
  return {
    token: token.plain,
    sessionId: token.id,
    expiresAt,
    user: { id: user.id, name: user.name, role: user.role },
  };
}
