import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IdPrefix, newId } from '@fluxi/common';

export interface ApiKey {
  id: string;
  userId: string;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

/** What a key is shown as after its creation: `fluxi_<keyId>` (the secret part never). */
export const keyPrefix = (keyId: string): string => `fluxi_${keyId}`;

/** A freshly made key: the plain text is shown once, only the hash is stored. */
export interface NewApiKey {
  id: string;
  plain: string;
  hash: string;
}

const SECRET_BYTES = 32;
/**
 * The shape of a key, `fluxi_<keyId>_<secret>`: a key id of letters and digits and a
 * secret of printable characters (base64url in the keys Fluxi makes, so it may itself
 * hold `_` or `-`). Only the shape is checked here: a secret of the wrong length or
 * alphabet is a wrong secret, answered like an unknown key, not a malformed one.
 */
const KEY_SHAPE = /^fluxi_([A-Za-z0-9]{1,64})_([\x21-\x7e]+)$/;

/** What a client is told for a key of the wrong shape. */
export const MALFORMED_KEY_MESSAGE = 'malformed API key: expected fluxi_<keyId>_<secret>';
/** What a client is told for an unknown key id, a wrong secret or a revoked key alike, so it learns nothing. */
export const REFUSED_KEY_MESSAGE = 'unknown, revoked or expired API key';

export function generateApiKey(prefix: typeof IdPrefix.apiKey | typeof IdPrefix.session = IdPrefix.apiKey): NewApiKey {
  const id = newId(prefix);
  const plain = `fluxi_${id}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { id, plain, hash: hashApiKey(plain) };
}

/** SHA-256 of the whole key, hex. */
export function hashApiKey(plain: string): string {
  return createHash('sha256').update(plain, 'utf8').digest('hex');
}

/** The key id of a key of the right shape, or undefined. */
export function parseApiKey(plain: string): string | undefined {
  return KEY_SHAPE.exec(plain)?.[1];
}

/** Compares a presented key with a stored hash in constant time. */
export function apiKeyMatches(plain: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKey(plain), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  // Always compare equal lengths so the time taken does not depend on the stored value.
  const expected = stored.length === presented.length ? stored : Buffer.alloc(presented.length);
  return timingSafeEqual(presented, expected) && stored.length === presented.length;
}

/** Why a well-shaped key is refused: for the server's log only, never for the client. */
export type KeyRefusal = 'unknown key id' | 'wrong secret' | 'revoked' | 'expired' | 'user disabled';

/** What the store holds of a key (or a session, which has the same shape). */
export interface StoredKeyState {
  hash: string;
  revokedAt: Date | null;
  expiresAt: Date | null;
  userDisabledAt: Date | null;
}

/** Whether a key id is a session's (a login's token) rather than an API key's. */
export const isSessionId = (keyId: string): boolean => keyId.startsWith(IdPrefix.session);

/** A hash no key has, compared against when the key id is unknown so both paths take the same time. */
const NO_HASH = '0'.repeat(64);

/**
 * Checks a well-shaped key against what the store holds under its id (undefined: no
 * such id). Returns why it is refused, or undefined when it is good. A wrong secret is
 * told before a revocation: only a holder of the real key learns (in the log) that it was revoked.
 */
export function refusalOf(
  plain: string,
  stored: StoredKeyState | undefined,
  now: Date = new Date(),
): KeyRefusal | undefined {
  const matches = apiKeyMatches(plain, stored?.hash ?? NO_HASH);
  if (stored === undefined) return 'unknown key id';
  if (!matches) return 'wrong secret';
  if (stored.revokedAt !== null) return 'revoked';
  if (stored.expiresAt !== null && stored.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (stored.userDisabledAt !== null) return 'user disabled';
  return undefined;
}
