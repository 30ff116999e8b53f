import { describe, expect, it } from 'vitest';
import { encryptSecret, generateSecretKey, SecretBoxError } from './secret-box.js';
import { SecretKeyRing } from './secret-key-ring.js';

describe('SecretKeyRing', () => {
  const a = generateSecretKey();
  const b = generateSecretKey();

  it('seals with the current key and opens values of a previous key as stale', () => {
    const ring = new SecretKeyRing(b, [a]);
    const old = encryptSecret('s3cret', a, 'row:1');
    expect(ring.open(old, 'row:1')).toEqual({ plaintext: 's3cret', current: false });
    const resealed = ring.reseal(old, 'row:1') as string;
    expect(new SecretKeyRing(b).open(resealed, 'row:1')).toEqual({ plaintext: 's3cret', current: true });
    expect(ring.reseal(resealed, 'row:1')).toBeUndefined();
    expect(new SecretKeyRing(b).open(ring.seal('x', 'c'), 'c').current).toBe(true);
  });

  it('still binds the context, and refuses a value no key opens', () => {
    const ring = new SecretKeyRing(b, [a]);
    expect(() => ring.open(encryptSecret('s', a, 'row:1'), 'row:2')).toThrow(SecretBoxError);
    expect(() => ring.open(encryptSecret('s', generateSecretKey()), '')).toThrow(SecretBoxError);
  });

  it('reads previous keys from config, naming the one at fault, and drops the current one among them', () => {
    expect(() => SecretKeyRing.fromConfig(b, [a.toString('base64'), 'short'])).toThrow(/secrets\.previousKeys\[1\]/);
    const ring = SecretKeyRing.fromConfig(b, [b.toString('base64'), a.toString('base64'), a.toString('base64')]);
    expect(ring.previous).toHaveLength(1);
  });
});
