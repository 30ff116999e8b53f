import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { badInput } from '@fluxi/common';

/**
 * Passwords, hashed with scrypt (memory-hard, in Node itself): `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`
 * (base64url). The cost is in the stored value, so it can rise later without breaking old hashes.
 * N = 2^15, r = 8: 32 MiB and a few tens of milliseconds per check.
 */
const COST = { log2N: 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 1024;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const params = (log2N: number, r: number, p: number): ScryptOptions => ({
  N: 2 ** log2N,
  r,
  p,
  // Node's default limit (32 MiB) is exactly 128 * N * r for the cost above: leave room.
  maxmem: 256 * 2 ** log2N * r,
});

/** Refuses passwords too short or too long to be useful, at `field`. */
export function validatePassword(password: string, field: string): string {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw badInput(`password must have at least ${MIN_PASSWORD_LENGTH} characters`, field);
  if (password.length > MAX_PASSWORD_LENGTH)
    throw badInput(`password must have at most ${MAX_PASSWORD_LENGTH} characters`, field);
  return password;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, params(COST.log2N, COST.r, COST.p));
  return ['scrypt', COST.log2N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A hash no password has, checked against when the user is unknown so both paths take the same time. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

/** Whether `password` matches `stored` (false for a malformed stored value), in constant time. */
export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [log2N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![log2N, r, p].every((n) => Number.isInteger(n) && n > 0) || log2N > 20) return false;
  const expected = Buffer.from(parts[5] as string, 'base64url');
  const key = await scrypt(password, Buffer.from(parts[4] as string, 'base64url'), params(log2N, r, p));
  return expected.length === key.length && timingSafeEqual(expected, key);
}
