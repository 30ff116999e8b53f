import { describe, expect, it } from 'vitest';
import {
  SecretBoxError,
  decryptSecret,
  encryptSecret,
  generateSecretKey,
  isEncryptedSecret,
  parseSecretKey,
} from './secret-box.js';

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 8);

/** Flips one bit of the stored bytes at `index` (0-11 IV, 12-27 tag, 28+ ciphertext). */
function tamper(stored: string, index: number): string {
  const bytes = Buffer.from(stored.slice(3), 'base64');
  bytes[index] = (bytes[index] as number) ^ 1;
  return `v1:${bytes.toString('base64')}`;
}

describe('encryptSecret / decryptSecret', () => {
  it('round-trips, with a v1: prefix and a fresh IV each time', () => {
    for (const secret of ['s3cr3t', '', 'é漢字🙂', 'x'.repeat(10_000)]) {
      const stored = encryptSecret(secret, KEY);
      expect(stored).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
      expect(isEncryptedSecret(stored)).toBe(true);
      expect(decryptSecret(stored, KEY)).toBe(secret);
    }
    expect(encryptSecret('same', KEY)).not.toBe(encryptSecret('same', KEY));
    // 12-byte IV + 16-byte tag + the plaintext's bytes.
    expect(Buffer.from(encryptSecret('abc', KEY).slice(3), 'base64')).toHaveLength(12 + 16 + 3);
  });

  it('refuses a changed IV, tag or ciphertext', () => {
    const stored = encryptSecret('webhook secret', KEY);
    for (const index of [0, 11, 12, 27, 28, 41]) {
      expect(() => decryptSecret(tamper(stored, index), KEY)).toThrow(
        new SecretBoxError('the encrypted secret does not open: another key, another owner, or it was changed'),
      );
    }
  });

  it('refuses another key and another context (owner)', () => {
    const stored = encryptSecret('webhook secret', KEY, 'P01PIPELINE');
    expect(decryptSecret(stored, KEY, 'P01PIPELINE')).toBe('webhook secret');
    expect(() => decryptSecret(stored, OTHER_KEY, 'P01PIPELINE')).toThrow(SecretBoxError);
    expect(() => decryptSecret(stored, KEY, 'P02OTHER')).toThrow(SecretBoxError);
    expect(() => decryptSecret(stored, KEY)).toThrow(SecretBoxError);
  });

  it('refuses what is not a v1 value, and a damaged one', () => {
    expect(() => decryptSecret('s3cr3t', KEY)).toThrow('not an encrypted secret (expected the v1: format)');
    expect(() => decryptSecret('v2:AAAA', KEY)).toThrow('expected the v1: format');
    expect(() => decryptSecret('v1:AAAA', KEY)).toThrow('the encrypted secret is damaged (bad base64 or too short)');
    expect(() => decryptSecret('v1:not base64!', KEY)).toThrow('damaged');
    expect(() => decryptSecret(`${encryptSecret('x', KEY)}AA`, KEY)).toThrow(SecretBoxError);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => encryptSecret('x', Buffer.alloc(16))).toThrow('the secret key must be 32 bytes');
    expect(() => decryptSecret(encryptSecret('x', KEY), Buffer.alloc(31))).toThrow('the secret key must be 32 bytes');
  });
});

describe('parseSecretKey', () => {
  it('reads 32 bytes of base64, spaces and a newline around allowed', () => {
    const key = generateSecretKey();
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretKey(` ${key.toString('base64')}\n`)).toEqual(key);
  });

  it('refuses other lengths and text that is not base64, naming where the key came from', () => {
    expect(() => parseSecretKey(Buffer.alloc(16).toString('base64'), 'FLUXI_SECRET_KEY')).toThrow(
      'FLUXI_SECRET_KEY must be 32 bytes in base64 (44 characters, e.g. from `openssl rand -base64 32`)',
    );
    expect(() => parseSecretKey('correct horse battery staple, 32 chars!!')).toThrow(SecretBoxError);
    expect(() => parseSecretKey('')).toThrow(SecretBoxError);
  });
});
