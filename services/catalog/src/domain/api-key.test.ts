import { describe, expect, it } from 'vitest';
import { apiKeyMatches, generateApiKey, hashApiKey, parseApiKey } from './api-key.js';

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
    'fluxi_K123_secret',
    'other_K01ARZ3NDEKTSV4RRFFQ69G5FAV_' + 'a'.repeat(43),
    'fluxi_K01ARZ3NDEKTSV4RRFFQ69G5FAV_short',
  ])('refuse the malformed key %j', (plain) => expect(parseApiKey(plain)).toBeUndefined());

  it('match only their own hash', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(apiKeyMatches(a.plain, a.hash)).toBe(true);
    expect(apiKeyMatches(a.plain, b.hash)).toBe(false);
    expect(apiKeyMatches(a.plain, 'abc')).toBe(false);
  });
});
