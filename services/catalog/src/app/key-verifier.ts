import { FluxiError, type Logger } from '@fluxi/common';
import { MALFORMED_KEY_MESSAGE, parseApiKey, REFUSED_KEY_MESSAGE, refusalOf } from '../domain/api-key.js';
import type { Role } from '../domain/user.js';
import type { AccessStore } from '../store/access-store.js';

export interface VerifiedKey {
  userId: string;
  userName: string;
  role: Role;
  keyId: string;
  /** When it stops being valid; null: never. */
  expiresAt: Date | null;
}

/**
 * Checks a presented API key or login session token; throws UNAUTHENTICATED: "malformed" for a
 * key that is not `fluxi_<keyId>_<secret>`, one message for an unknown id, a wrong secret, a
 * revoked or expired key and a disabled user.
 * The precise cause goes to the log with the key id, never the secret: at info level for a
 * key id that exists (wrong secret, revoked), at debug level for noise (malformed, unknown id).
 */
export async function verifyApiKey(store: AccessStore, plain: string, logger: Logger): Promise<VerifiedKey> {
  const keyId = parseApiKey(plain);
  if (keyId === undefined) {
    logger.debug({ cause: 'malformed' }, 'refused an API key');
    throw new FluxiError('UNAUTHENTICATED', MALFORMED_KEY_MESSAGE);
  }
  const stored = await store.findKey(keyId);
  const refusal = refusalOf(plain, stored);
  if (stored === undefined || refusal !== undefined) {
    const cause = refusal ?? 'unknown key id';
    logger[cause === 'unknown key id' ? 'debug' : 'info']({ keyId, cause }, 'refused an API key');
    throw new FluxiError('UNAUTHENTICATED', REFUSED_KEY_MESSAGE);
  }
  // "Last used" is worth a write a minute at most, and never a refusal.
  store.touchKey(keyId).catch((err: unknown) => logger.warn({ err, keyId }, 'could not record the use of a key'));
  return { userId: stored.userId, userName: stored.userName, role: stored.role, keyId, expiresAt: stored.expiresAt };
}
