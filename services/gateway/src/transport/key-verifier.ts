import { FluxiError, type Logger } from '@fluxi/common';
import {
  ContractVersion,
  create,
  Role,
  Subjects,
  VerifyApiKeyRequestSchema,
  VerifyApiKeyResponseSchema,
} from '@fluxi/contracts';
import type { Principal } from '@fluxi/graphql';
import { request, type NatsConnection } from '@fluxi/messaging';

const ROLES: Record<number, Principal['role'] | undefined> = {
  [Role.READER]: 'reader',
  [Role.WRITER]: 'writer',
  [Role.ADMIN]: 'admin',
};

interface CacheEntry {
  expires: number;
  principal: Principal | FluxiError;
}

/**
 * Checks API keys (and login session tokens) with the catalog over NATS and remembers the
 * answer for a short while (valid keys 30 s, refused keys 5 s) so each request does not cost a
 * round trip. Everything remembered is forgotten when the catalog says users or keys changed
 * (`fluxi.auth.changed`: a user disabled, deleted or demoted, a key revoked, a logout), and
 * before this gateway answers such a mutation itself (`forgetKeysOnAuthChange`).
 */
export class KeyVerifier {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly changes: { unsubscribe(): void };

  constructor(
    private readonly nc: NatsConnection,
    private readonly logger: Logger,
    private readonly ttlMs = 30_000,
    private readonly negativeTtlMs = 5_000,
  ) {
    this.changes = nc.subscribe(Subjects.authChanged, { callback: () => this.forget() });
  }

  /** Forgets every remembered answer: the next request of each key asks the catalog again. */
  forget(): void {
    this.cache.clear();
  }

  /** Stops listening for changes. */
  close(): void {
    this.changes.unsubscribe();
  }

  async verify(key: string): Promise<Principal> {
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.expires > now) {
      if (cached.principal instanceof FluxiError) throw cached.principal;
      return cached.principal;
    }
    const reply = await request(
      this.nc,
      Subjects.apiKeyVerify,
      { request: VerifyApiKeyRequestSchema, response: VerifyApiKeyResponseSchema },
      create(VerifyApiKeyRequestSchema, { version: ContractVersion.CONTRACT_VERSION_1, key }),
    );
    if (this.cache.size > 10_000) this.cache.clear();
    if (reply.result.case === 'principal') {
      const p = reply.result.value;
      const role = ROLES[p.role];
      if (role === undefined) throw new FluxiError('INTERNAL', `catalog answered an unknown role ${p.role}`);
      const principal: Principal = { userId: p.userId, userName: p.userName, role, keyId: p.keyId };
      // Never past the key's own expiry.
      const expiresAt = Number(p.expiresAtMs);
      this.cache.set(key, {
        expires: expiresAt > 0 ? Math.min(now + this.ttlMs, expiresAt) : now + this.ttlMs,
        principal,
      });
      return principal;
    }
    const message = reply.result.case === 'error' ? reply.result.value.message : 'invalid API key';
    const error = new FluxiError('UNAUTHENTICATED', message || 'invalid API key');
    this.cache.set(key, { expires: now + this.negativeTtlMs, principal: error });
    this.logger.debug('refused an API key');
    throw error;
  }
}
