import { FluxiError } from '@fluxi/common';
import { apiKeyMatches, parseApiKey } from '../domain/api-key.js';
import type { Role } from '../domain/user.js';
import type { AccessStore } from '../store/access-store.js';

export interface VerifiedKey {
  userId: string;
  userName: string;
  role: Role;
  keyId: string;
}

/** A hash no key has, compared against when the key id is unknown so both paths take the same time. */
const NO_HASH = '0'.repeat(64);

/** Checks a presented API key; throws UNAUTHENTICATED for a malformed, unknown or revoked one. */
export async function verifyApiKey(store: AccessStore, plain: string): Promise<VerifiedKey> {
  const keyId = parseApiKey(plain);
  if (keyId === undefined)
    throw new FluxiError('UNAUTHENTICATED', 'malformed API key: expected fluxi_<keyId>_<secret>');
  const stored = await store.findKey(keyId);
  const matches = apiKeyMatches(plain, stored?.hash ?? NO_HASH);
  if (stored === undefined || !matches) throw new FluxiError('UNAUTHENTICATED', 'unknown API key');
  if (stored.revokedAt !== null) throw new FluxiError('UNAUTHENTICATED', `API key ${keyId} is revoked`);
  return { userId: stored.userId, userName: stored.userName, role: stored.role, keyId };
}
