import { FluxiError, LOG_LEVELS, type LogLevel } from '@fluxi/common';
import { requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import { putLogLevel, type Nats } from '@fluxi/messaging';

/** `setLogLevel`: the level every process of the installation logs at, until it restarts (admin). */
export function settingsResolvers(nats: Nats): Resolvers {
  return {
    Mutation: {
      setLogLevel: async (_: unknown, { level }: { level: string }, ctx: SubgraphContext) => {
        const principal = requireRole(ctx.principal, 'admin', 'setLogLevel');
        const wanted = level.toLowerCase() as LogLevel;
        if (!LOG_LEVELS.includes(wanted)) {
          throw new FluxiError('BAD_USER_INPUT', `level must be one of ${LOG_LEVELS.join(', ')}`, { field: 'level' });
        }
        await putLogLevel(nats, wanted, principal.userName);
        return wanted.toUpperCase();
      },
    },
  };
}
