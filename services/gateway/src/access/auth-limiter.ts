import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface AuthLimits {
  /** Failed authentications allowed per key prefix (or login user name) in `windowSec`. */
  readonly perKey: number;
  /** Failed authentications allowed per client address in `windowSec`. */
  readonly perAddress: number;
  readonly windowSec: number;
}

export const DEFAULT_AUTH_LIMITS: AuthLimits = { perKey: 10, perAddress: 30, windowSec: 60 };

/**
 * Counts failed authentications per key prefix (`fluxi_<keyId>`, or a login's user name) and per
 * client address; once either has used up its failures, every attempt from it is refused until
 * its window ends, even with a good key (a guessed secret is worth nothing meanwhile).
 */
export class AuthLimiter {
  private readonly byKey: RateLimiterMemory;
  private readonly byAddress: RateLimiterMemory;

  constructor(limits: AuthLimits = DEFAULT_AUTH_LIMITS) {
    this.byKey = new RateLimiterMemory({ points: limits.perKey, duration: limits.windowSec, keyPrefix: 'key' });
    this.byAddress = new RateLimiterMemory({
      points: limits.perAddress,
      duration: limits.windowSec,
      keyPrefix: 'address',
    });
  }

  /** Seconds until `prefix` and `address` may try again; 0 when they may now. */
  async retryAfterSec(prefix: string, address: string): Promise<number> {
    const [a, b] = await Promise.all([this.byKey.get(prefix), this.byAddress.get(address)]);
    const blocked = (res: RateLimiterRes | null) =>
      res !== null && res.remainingPoints <= 0 && res.msBeforeNext > 0 ? Math.ceil(res.msBeforeNext / 1000) : 0;
    return Math.max(blocked(a), blocked(b));
  }

  /** Counts a failure of both. */
  async failed(prefix: string, address: string): Promise<void> {
    const consume = (limiter: RateLimiterMemory, key: string) =>
      limiter.consume(key).catch((res: unknown) => {
        if (!(res instanceof RateLimiterRes)) throw res;
      });
    await Promise.all([consume(this.byKey, prefix), consume(this.byAddress, address)]);
  }
}
