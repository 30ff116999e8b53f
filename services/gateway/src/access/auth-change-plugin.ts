import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';

/** Mutations after which a cached answer about a key may be wrong (they publish `fluxi.auth.changed`). */
const AUTH_MUTATIONS = new Set(['updateUser', 'deleteUser', 'revokeApiKey']);

/**
 * Forgets the gateway's cached key answers before the answer to a mutation that changes users or
 * keys goes out. The catalog also announces the change on NATS, but that message travels apart
 * from the mutation's HTTP answer and can arrive after it: the client's next request would then
 * still be judged by the old answer (a re-enabled user's key refused, a revoked key accepted).
 * Other gateways learn of the change from the NATS message alone.
 */
export function forgetKeysOnAuthChange(forget: () => void): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation }) {
          if (operation?.operation !== 'mutation') return;
          const changes = operation.selectionSet.selections.some(
            (selection) => selection.kind === Kind.FIELD && AUTH_MUTATIONS.has(selection.name.value),
          );
          if (changes) forget();
        },
      };
    },
  };
}
