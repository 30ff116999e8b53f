import { requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import { generateApiKey, type ApiKey } from '../../domain/api-key.js';
import { validateApiKeyName, validateUser, type User } from '../../domain/user.js';
import type { AccessStore } from '../../store/access-store.js';

interface CreateUserArgs {
  input: { name: string; role: string };
}
interface CreateApiKeyArgs {
  input: { userId: string; name: string };
}

function userObject(user: User): Record<string, unknown> {
  return { ...user, createdAt: user.createdAt.toISOString() };
}

function keyObject(key: ApiKey): Record<string, unknown> {
  return { ...key, createdAt: key.createdAt.toISOString(), revokedAt: key.revokedAt?.toISOString() ?? null };
}

/** `me`, users and API keys; managing users and keys needs the admin role. */
export function accessResolvers(access: AccessStore): Resolvers {
  const admin = (ctx: SubgraphContext, what: string) => requireRole(ctx.principal, 'admin', what);
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
    },
    Mutation: {
      createUser: async (_: unknown, { input }: CreateUserArgs, ctx: SubgraphContext) => {
        admin(ctx, 'createUser');
        return userObject(await access.createUser(validateUser(input)));
      },
      createApiKey: async (_: unknown, { input }: CreateApiKeyArgs, ctx: SubgraphContext) => {
        admin(ctx, 'createApiKey');
        const name = validateApiKeyName(input.name, 'input.name');
        const key = generateApiKey();
        const stored = await access.createApiKey(input.userId, name, key);
        return { id: stored.id, name: stored.name, role: stored.role, key: key.plain };
      },
      revokeApiKey: async (_: unknown, { id }: { id: string }, ctx: SubgraphContext) => {
        admin(ctx, 'revokeApiKey');
        return keyObject(await access.revokeApiKey(id));
      },
    },
    User: {
      apiKeys: async (user: { id: string }) => (await access.listApiKeys(user.id)).map(keyObject),
    },
  };
}
