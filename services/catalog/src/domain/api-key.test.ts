import { describe, expect, it } from 'vitest';
import { apiKeyMatches, generateApiKey, hashApiKey, parseApiKey, refusalOf } from './api-key.js';

describe('API keys', () => {
  it('are fluxi_<keyId>_<secret> with a 32-byte base64url secret', () => {
    const key = generateApiKey();
    expect(key.plain).toMatch(/^fluxi_K[0-9A-Z]{26}_[A-Za-z0-9_-]{43}$/);
    expect(key.plain.startsWith(`fluxi_${key.id}_`)).toBe(true);
    expect(Buffer.from(key.plain.slice(`fluxi_${key.id}_`.length), 'base64url')).toHaveLength(32);
  });

  it('are stored as a SHA-256 hash only', () => {
    const key = generateApiKey();
    expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.hash).toBe(hashApiKey(key.plain));
    expect(key.hash).not.toContain(key.plain);
  });

  it('parse back to their key id, also when the secret holds "_"', () => {
    const key = generateApiKey();
    expect(parseApiKey(key.plain)).toBe(key.id);
    const id = 'K01ARZ3NDEKTSV4RRFFQ69G5FAV';
    expect(parseApiKey(`fluxi_${id}_${'_-'.repeat(22)}`)).toBe(id);
  });

  it.each([
    '',
    'fluxi_',
    'fluxi__secret',
    'fluxi_K01ARZ3NDEKTSV4RRFFQ69G5FAV',
    'fluxi_K01ARZ3NDEKTSV4RRFFQ69G5FAV_',
    'other_K01ARZ3NDEKTSV4RRFFQ69G5FAV_' + 'a'.repeat(43),
    'FLUXI_K01ARZ3NDEKTSV4RRFFQ69G5FAV_' + 'a'.repeat(43),
    'fluxi_K01ARZ3NDEKTSV4RRFFQ69G5FAV_with space',
    'fluxi_K01ARZ3NDEKTSV4RRFFQ69G5FAV_' + 'a'.repeat(43) + '\n',
    'fluxi_K-01_' + 'a'.repeat(43),
    `fluxi_${'K'.repeat(65)}_secret`,
  ])('refuse the malformed key %j', (plain) => expect(parseApiKey(plain)).toBeUndefined());

  it.each([
    ['a short secret', 'fluxi_K01ARZ3NDEKTSV4RRFFQ69G5FAV_short', 'K01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['a secret outside base64url', 'fluxi_K01ARZ3NDEKTSV4RRFFQ69G5FAV_ab+/c=', 'K01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['a key id that is no ULID', 'fluxi_K123_secret', 'K123'],
  ])('take a key with %s as well-shaped (a wrong key, not a malformed one)', (_what, plain, id) =>
    expect(parseApiKey(plain)).toBe(id),
  );

  it('match only their own hash', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(apiKeyMatches(a.plain, a.hash)).toBe(true);
    expect(apiKeyMatches(a.plain, b.hash)).toBe(false);
    expect(apiKeyMatches(a.plain, 'abc')).toBe(false);
  });

  describe('refusalOf', () => {
    const key = generateApiKey();
    const stored = { hash: key.hash, revokedAt: null, expiresAt: null, userDisabledAt: null };

    it('accepts the right secret of a live key', () => expect(refusalOf(key.plain, stored)).toBeUndefined());

    it('refuses a well-shaped key with a wrong secret', () => {
      const wrong = `fluxi_${key.id}_${generateApiKey().plain.split('_').slice(2).join('_')}`;
      expect(parseApiKey(wrong)).toBe(key.id);
      expect(refusalOf(wrong, stored)).toBe('wrong secret');
      expect(refusalOf(`fluxi_${key.id}_short`, stored)).toBe('wrong secret');
    });

    it('refuses an unknown key id', () => expect(refusalOf(key.plain, undefined)).toBe('unknown key id'));

    it('refuses a revoked key, but tells a wrong secret first', () => {
      const revoked = { ...stored, revokedAt: new Date() };
      expect(refusalOf(key.plain, revoked)).toBe('revoked');
      expect(refusalOf(`fluxi_${key.id}_short`, revoked)).toBe('wrong secret');
    });

    it('refuses an expired key from its expiry on, and any key of a disabled user', () => {
      const now = new Date('2026-01-01T00:00:00Z');
      const expiring = { ...stored, expiresAt: now };
      expect(refusalOf(key.plain, expiring, new Date(now.getTime() - 1))).toBeUndefined();
      expect(refusalOf(key.plain, expiring, now)).toBe('expired');
      expect(refusalOf(key.plain, { ...stored, userDisabledAt: now }, now)).toBe('user disabled');
    });
  });
});
