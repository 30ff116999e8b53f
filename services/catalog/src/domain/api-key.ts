import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IdPrefix, newId } from '@fluxi/common';

export interface ApiKey {
  id: string;
  userId: string;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A freshly made key: the plain text is shown once, only the hash is stored. */
export interface NewApiKey {
  id: string;
  plain: string;
  hash: string;
}

const SECRET_BYTES = 32;
/** `fluxi_<keyId>_<secret>`; the secret is base64url and may itself hold `_` or `-`. */
const KEY_FORMAT = /^fluxi_(K[0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{43,})$/;

export function generateApiKey(): NewApiKey {
  const id = newId(IdPrefix.apiKey);
  const plain = `fluxi_${id}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { id, plain, hash: hashApiKey(plain) };
}

/** SHA-256 of the whole key, hex. */
export function hashApiKey(plain: string): string {
  return createHash('sha256').update(plain, 'utf8').digest('hex');
}

/** The key id of a well-formed key, or undefined. */
export function parseApiKey(plain: string): string | undefined {
  return KEY_FORMAT.exec(plain)?.[1];
}

/** Compares a presented key with a stored hash in constant time. */
export function apiKeyMatches(plain: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKey(plain), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  // Always compare equal lengths so the time taken does not depend on the stored value.
  const expected = stored.length === presented.length ? stored : Buffer.alloc(presented.length);
  return timingSafeEqual(presented, expected) && stored.length === presented.length;
}
