import type { Logger, SecretKeyRing } from '@fluxi/common';
import type { Database } from '@fluxi/db';
import { requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import { resealWithCurrentKey } from '../../app/secret-rotation.js';
import { validateSecret, type SecretInfo, type SecretInput } from '../../domain/secret.js';
import { SecretStore } from '../../store/secret-store.js';

function secretObject(secret: SecretInfo): Record<string, unknown> {
  return {
    id: secret.id,
    name: secret.name,
    scope: secret.pipelineId === null ? 'GLOBAL' : 'PIPELINE',
    pipelineId: secret.pipelineId,
    createdAt: secret.createdAt.toISOString(),
    updatedAt: secret.updatedAt.toISOString(),
    lastUsedAt: secret.lastUsedAt?.toISOString() ?? null,
  };
}

/** `secrets`, `setSecret`, `deleteSecret`, `rotateSecrets`: admin only; no answer carries a value. */
export function secretResolvers(db: Database, keys: SecretKeyRing, logger: Logger): Resolvers {
  const deps = { secrets: new SecretStore(db, keys), db, keys, logger };
  const admin = (ctx: SubgraphContext, what: string) => requireRole(ctx.principal, 'admin', what);
  return {
    Query: {
      secrets: async (_: unknown, { pipelineId }: { pipelineId?: string | null }, ctx: SubgraphContext) => {
        admin(ctx, 'listing secrets');
        return (await deps.secrets.list(pipelineId)).map(secretObject);
      },
    },
    Mutation: {
      setSecret: async (_: unknown, { input }: { input: SecretInput }, ctx: SubgraphContext) => {
        const principal = admin(ctx, 'setSecret');
        const secret = await deps.secrets.set(validateSecret(input));
        deps.logger.info(
          { secretId: secret.id, name: secret.name, pipelineId: secret.pipelineId, by: principal.userName },
          'secret set',
        );
        return secretObject(secret);
      },
      deleteSecret: async (_: unknown, { id }: { id: string }, ctx: SubgraphContext) => {
        const principal = admin(ctx, 'deleteSecret');
        await deps.secrets.delete(id);
        deps.logger.info({ secretId: id, by: principal.userName }, 'secret deleted');
        return true;
      },
      rotateSecrets: async (_: unknown, __: unknown, ctx: SubgraphContext) => {
        const principal = admin(ctx, 'rotateSecrets');
        const report = await resealWithCurrentKey(deps.db, deps.keys, deps.logger);
        deps.logger.info({ ...report, by: principal.userName }, 'secrets re-encrypted');
        return report.resealed;
      },
    },
    Job: {
      secrets: (job: { secrets?: string[] }) => job.secrets ?? [],
    },
  };
}
