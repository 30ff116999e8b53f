import { FluxiError, notFound } from '@fluxi/common';
import { Subjects } from '@fluxi/contracts';
import { requireRole, type Principal, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import type { NatsConnection } from '@fluxi/messaging';
import { generateApiKey, keyPrefix, type ApiKey } from '../../domain/api-key.js';
import {
  AUDIT_OUTCOMES,
  auditPageSize,
  auditTime,
  decodeAuditCursor,
  encodeAuditCursor,
  type AuditEntry,
  type AuditOutcome,
} from '../../domain/audit.js';
import { hashPassword, validatePassword } from '../../domain/password.js';
import { validateApiKeyName, validateExpiry, validateUser, validateUserChange, type User } from '../../domain/user.js';
import type { AccessStore } from '../../store/access-store.js';
import type { AuditStore } from '../../store/audit-store.js';

interface CreateUserArgs {
  input: { name: string; role: string; password?: string | null };
}
interface UpdateUserArgs {
  id: string;
  input: { role?: string | null; disabled?: boolean | null; password?: string | null };
}
interface CreateApiKeyArgs {
  input: { userId?: string | null; name: string; expiresAt?: string | null };
}
interface AuditArgs {
  filter?: {
    userId?: string | null;
    action?: string | null;
    target?: string | null;
    outcome?: string | null;
    from?: string | null;
    to?: string | null;
  } | null;
  first?: number | null;
  after?: string | null;
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

function userObject(user: User): Record<string, unknown> {
  return {
    id: user.id,
    name: user.name,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
    disabledAt: iso(user.disabledAt),
    disabled: user.disabledAt !== null,
  };
}

function keyObject(key: ApiKey): Record<string, unknown> {
  return {
    ...key,
    prefix: keyPrefix(key.id),
    createdAt: key.createdAt.toISOString(),
    revokedAt: iso(key.revokedAt),
    expiresAt: iso(key.expiresAt),
    lastUsedAt: iso(key.lastUsedAt),
  };
}

function auditObject(entry: AuditEntry): Record<string, unknown> {
  return { ...entry, at: entry.at.toISOString(), details: JSON.stringify(entry.details) };
}

const undefinedIfNull = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/**
 * `me`, users, API keys and the audit log. Managing users and reading the audit log needs the
 * admin role; anyone may manage their own keys. After a change that can refuse keys (a user
 * disabled, deleted or demoted, a key revoked), gateways are told to forget what they cached.
 */
export function accessResolvers(access: AccessStore, audit: AuditStore, nc: NatsConnection): Resolvers {
  const admin = (ctx: SubgraphContext, what: string) => requireRole(ctx.principal, 'admin', what);
  const authChanged = () => nc.publish(Subjects.authChanged);
  /** The caller, when it is `userId` or an admin; FORBIDDEN otherwise. */
  const selfOrAdmin = (ctx: SubgraphContext, userId: string, what: string): Principal => {
    const principal = requireRole(ctx.principal, 'reader', what);
    if (principal.userId !== userId && principal.role !== 'admin')
      throw new FluxiError('FORBIDDEN', `${what} of another user needs the admin role`);
    return principal;
  };
  return {
    Query: {
      me: (_: unknown, __: unknown, ctx: SubgraphContext) => {
        const { userId, userName, role, keyId } = requireRole(ctx.principal, 'reader', 'me');
        return { userId, userName, role, keyId };
      },
      users: async (_: unknown, __: unknown, ctx: SubgraphContext) => {
        admin(ctx, 'listing users');
        return (await access.listUsers()).map(userObject);
      },
      user: async (_: unknown, { id }: { id: string }, ctx: SubgraphContext) => {
        selfOrAdmin(ctx, id, 'reading a user');
        const user = await access.getUser(id);
        return user === undefined ? null : userObject(user);
      },
      apiKeys: async (_: unknown, { userId }: { userId?: string | null }, ctx: SubgraphContext) => {
        const principal = requireRole(ctx.principal, 'reader', 'apiKeys');
        const owner = userId ?? principal.userId;
        selfOrAdmin(ctx, owner, 'listing the API keys');
        return (await access.listApiKeys(owner)).map(keyObject);
      },
      auditEntries: async (_: unknown, args: AuditArgs, ctx: SubgraphContext) => {
        admin(ctx, 'reading the audit log');
        const filter = args.filter ?? {};
        const outcome = undefinedIfNull(filter.outcome);
        if (outcome !== undefined && !(AUDIT_OUTCOMES as readonly string[]).includes(outcome))
          throw new FluxiError('BAD_USER_INPUT', `unknown outcome ${outcome}`, { field: 'filter.outcome' });
        const first = auditPageSize(args.first, 'first');
        const cursor = args.after ? decodeAuditCursor(args.after, 'after') : undefined;
        const from = auditTime(filter.from, 'filter.from');
        const to = auditTime(filter.to, 'filter.to');
        const rows = await audit.list(
          {
            ...(filter.userId ? { userId: filter.userId } : {}),
            ...(filter.action ? { action: filter.action } : {}),
            ...(filter.target ? { target: filter.target } : {}),
            ...(outcome === undefined ? {} : { outcome: outcome as AuditOutcome }),
            ...(from === undefined ? {} : { from }),
            ...(to === undefined ? {} : { to }),
          },
          first,
          cursor,
        );
        const nodes = rows.slice(0, first);
        const last = nodes[nodes.length - 1];
        return {
          nodes: nodes.map(auditObject),
          endCursor: last === undefined ? null : encodeAuditCursor(last),
          hasNextPage: rows.length > first,
        };
      },
    },
    Mutation: {
      createUser: async (_: unknown, { input }: CreateUserArgs, ctx: SubgraphContext) => {
        admin(ctx, 'createUser');
        const user = validateUser(input);
        const password = input.password ? await hashPassword(validatePassword(input.password, 'input.password')) : null;
        const created = await access.createUser(user, password);
        return { ...userObject(created), hasPassword: password !== null };
      },
      updateUser: async (_: unknown, { id, input }: UpdateUserArgs, ctx: SubgraphContext) => {
        admin(ctx, 'updateUser');
        const change = validateUserChange(input);
        const password = input.password
          ? await hashPassword(validatePassword(input.password, 'input.password'))
          : undefined;
        const updated = await access.updateUser(id, change, password);
        authChanged();
        return userObject(updated);
      },
      deleteUser: async (_: unknown, { id }: { id: string }, ctx: SubgraphContext) => {
        admin(ctx, 'deleteUser');
        await access.deleteUser(id);
        authChanged();
        return true;
      },
      createApiKey: async (_: unknown, { input }: CreateApiKeyArgs, ctx: SubgraphContext) => {
        const principal = requireRole(ctx.principal, 'reader', 'createApiKey');
        const userId = input.userId ?? principal.userId;
        selfOrAdmin(ctx, userId, 'createApiKey');
        const name = validateApiKeyName(input.name, 'input.name');
        const expiresAt = validateExpiry(input.expiresAt, new Date(), 'input.expiresAt');
        const key = generateApiKey();
        const stored = await access.createApiKey(userId, name, key, expiresAt);
        return {
          id: stored.id,
          name: stored.name,
          role: stored.role,
          prefix: keyPrefix(stored.id),
          expiresAt: iso(stored.expiresAt),
          key: key.plain,
        };
      },
      revokeApiKey: async (_: unknown, { id }: { id: string }, ctx: SubgraphContext) => {
        const principal = requireRole(ctx.principal, 'reader', 'revokeApiKey');
        const key = await access.getApiKey(id);
        // Someone else's key is "not found" to a non-admin: no probing of key ids.
        if (key !== undefined && key.userId !== principal.userId && principal.role !== 'admin')
          throw notFound('API key', id);
        const revoked = await access.revokeApiKey(id);
        authChanged();
        return keyObject(revoked);
      },
    },
    User: {
      hasPassword: async (user: { id: string; hasPassword?: boolean }) =>
        user.hasPassword ?? (await access.hasPassword(user.id)),
      apiKeys: async (user: { id: string }) => (await access.listApiKeys(user.id)).map(keyObject),
    },
  };
}
