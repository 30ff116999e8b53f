import type { ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { FluxiError } from '@fluxi/common';
import type { Principal } from '@fluxi/graphql';
import type { GatewayContext } from '../transport/graphql.js';
import { selectionOf } from './selection.js';
import type { ProblemParts } from './problem.js';
import type { z } from './zod.js';

/** A GraphQL operation refused or failed: its first error, as a problem's parts. */
export class OperationError extends Error {
  constructor(readonly parts: ProblemParts) {
    super(parts.detail);
    this.name = 'OperationError';
  }
}

/**
 * GraphQL argument names and types, e.g. `{ id: 'ID!', input: 'CreateJobInput!' }`; a name starting
 * with `$` is a variable only declared (used by a nested field of the selection).
 */
export type Args = Record<string, string>;

/** Runs supergraph operations as one caller. */
export interface Operations {
  /**
   * Runs `kind field(args) { selection of select }` with `variables` and returns `data[field]`;
   * throws OperationError with the first GraphQL error.
   */
  call(
    kind: 'query' | 'mutation',
    field: string,
    args: Args,
    variables: object,
    select?: z.ZodType | string,
  ): Promise<unknown>;
}

/** `select`: a response schema (its fields are selected) or a selection set as written. */
export function documentOf(kind: 'query' | 'mutation', field: string, args: Args, select?: z.ZodType | string): string {
  const names = Object.keys(args);
  const declared =
    names.length === 0 ? '' : `(${names.map((name) => `$${name.replace(/^\$/, '')}: ${args[name]}`).join(', ')})`;
  const fieldArgs = names.filter((name) => !name.startsWith('$'));
  const passed = fieldArgs.length === 0 ? '' : `(${fieldArgs.map((name) => `${name}: $${name}`).join(', ')})`;
  const selection = select === undefined ? '' : typeof select === 'string' ? select : selectionOf(select);
  return `${kind} Rest${declared} { ${[`${field}${passed}`, selection].filter((part) => part !== '').join(' ')} }`;
}

/** The REST field of a GraphQL error's field: a path into the body (input.stages[0].name → stages[0].name). */
export function restField(field: unknown): string | undefined {
  if (typeof field !== 'string' || field === '') return undefined;
  return field.startsWith('input.') ? field.slice('input.'.length) : field;
}

function partsOf(error: GraphQLFormattedError): ProblemParts {
  const extensions = error.extensions ?? {};
  const code = typeof extensions['code'] === 'string' ? extensions['code'] : 'INTERNAL';
  const errorId = typeof extensions['errorId'] === 'string' ? extensions['errorId'] : undefined;
  return { code, detail: error.message, field: restField(extensions['field']), errorId };
}

/**
 * Operations run in this process by the gateway's Apollo Server (`executeOperation`), with the
 * caller's principal and address as the context the HTTP path builds (mutations are audited alike): the reader rule, the query planner, the
 * subgraphs' validation and role checks and the error formatting are the ones GraphQL clients get.
 */
export function inProcessOperations(
  server: ApolloServer<GatewayContext>,
  principal: Principal | undefined,
  address: string,
): Operations {
  return {
    async call(kind, field, args, variables, select) {
      const response = await server.executeOperation(
        { query: documentOf(kind, field, args, select), variables: variables as Record<string, unknown> },
        { contextValue: { principal, address } },
      );
      if (response.body.kind !== 'single') throw new FluxiError('INTERNAL', 'unexpected incremental GraphQL answer');
      const { data, errors } = response.body.singleResult;
      const first = errors?.[0];
      if (first !== undefined) throw new OperationError(partsOf(first));
      if (data === undefined || data === null) throw new FluxiError('INTERNAL', `no data for ${field}`);
      return (data as Record<string, unknown>)[field];
    },
  };
}
