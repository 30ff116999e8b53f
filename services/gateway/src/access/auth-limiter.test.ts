import { describe, expect, it } from 'vitest';
import { AuthLimiter } from './auth-limiter.js';

describe('AuthLimiter', () => {
  it('refuses a prefix after its failures, whatever the address, and another address after its own', async () => {
    const limiter = new AuthLimiter({ perKey: 3, perAddress: 3, windowSec: 60 });
    for (let i = 0; i < 3; i++) {
      expect(await limiter.retryAfterSec('fluxi_K1', `10.0.0.${i}`)).toBe(0);
      await limiter.failed('fluxi_K1', `10.0.0.${i}`);
    }
    expect(await limiter.retryAfterSec('fluxi_K1', '10.0.0.9')).toBeGreaterThan(0);
    expect(await limiter.retryAfterSec('fluxi_K2', '10.0.0.1')).toBe(0);
    for (let i = 0; i < 3; i++) await limiter.failed(`fluxi_X${i}`, '10.9.9.9');
    expect(await limiter.retryAfterSec('fluxi_K3', '10.9.9.9')).toBeGreaterThan(0);
  });
});
