import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, valueFromASTUntyped, type FieldNode, type GraphQLFormattedError } from 'graphql';
import type { Principal } from '@fluxi/graphql';
import type { AuditLog, Outcome } from './audit-log.js';
import { safeArguments, targetOf } from './audit-details.js';

interface AuditContext {
  principal: Principal | undefined;
  address?: string | undefined;
}

const DENIED_CODES = new Set(['FORBIDDEN', 'UNAUTHENTICATED', 'RATE_LIMITED']);

function outcomeOf(errors: readonly GraphQLFormattedError[]): Outcome {
  if (errors.length === 0) return 'success';
  return errors.some((error) => DENIED_CODES.has(String(error.extensions?.['code']))) ? 'denied' : 'failure';
}

/**
 * One audit entry per mutation field of every GraphQL operation (the REST API runs the same
 * operations, so it is audited the same way): who, which mutation, its target, the outcome
 * (success, failure, denied) and, for a failure, the error's code and message; arguments only
 * through the allow-list of `safeArguments`.
 */
export function auditMutations(audit: AuditLog): ApolloServerPlugin<AuditContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, request, response, contextValue }) {
          if (operation?.operation !== 'mutation') return;
          const body = response.body;
          if (body.kind !== 'single') return;
          const allErrors = body.singleResult.errors ?? [];
          const variables = request.variables ?? {};
          const principal = contextValue.principal;
          for (const selection of operation.selectionSet.selections) {
            if (selection.kind !== Kind.FIELD) continue;
            const field: FieldNode = selection;
            const responseKey = field.alias?.value ?? field.name.value;
            if (field.name.value === '__typename') continue;
            const args: Record<string, unknown> = {};
            for (const arg of field.arguments ?? []) args[arg.name.value] = valueFromASTUntyped(arg.value, variables);
            // Errors of this field, or of the whole operation (refused before any field ran).
            const errors = allErrors.filter((error) => error.path === undefined || error.path[0] === responseKey);
            const first = errors[0];
            audit.record({
              action: field.name.value,
              outcome: outcomeOf(errors),
              userId: principal?.userId,
              userName: principal?.userName,
              keyId: principal?.keyId,
              target: targetOf(args),
              address: contextValue.address,
              details: {
                ...safeArguments(args),
                ...(first === undefined
                  ? {}
                  : { error: { code: first.extensions?.['code'] ?? null, message: first.message } }),
              },
            });
          }
        },
      };
    },
  };
}
