import { describe, expect, it } from 'vitest';
import { hashPassword, passwordMatches, validatePassword } from './password.js';

describe('passwords', () => {
  it('hashes with scrypt and a random salt, and checks', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$15\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(await passwordMatches('correct horse battery', a)).toBe(true);
    expect(await passwordMatches('correct horse batterY', a)).toBe(false);
  });

  it('is false for a malformed stored value', async () => {
    expect(await passwordMatches('x', 'plain')).toBe(false);
    expect(await passwordMatches('x', 'scrypt$99$8$1$aa$bb')).toBe(false);
  });

  it('refuses short passwords at the field', () => {
    expect(() => validatePassword('short', 'input.password')).toThrow(/at least 12/);
    expect(validatePassword('long enough pass', 'input.password')).toBe('long enough pass');
  });
});
