import { ClientError, GraphQLClient } from 'graphql-request';

/** How long one request may take: a gateway that stops answering fails the test, never hangs it. */
const REQUEST_TIMEOUT_MS = 30_000;

/** A GraphQL client for the gateway, as a user's script would use it. */
export function client(url: string, key: string): GraphQLClient {
  return new GraphQLClient(`${url}/graphql`, {
    headers: { authorization: `Bearer ${key}` },
    fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
  });
}

export interface GqlErrorShape {
  message: string;
  code: unknown;
  field: unknown;
  line: unknown;
}

/** The first GraphQL error a request fails with. */
export async function firstError(promise: Promise<unknown>): Promise<GqlErrorShape> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ClientError) {
      const first = error.response.errors?.[0];
      return {
        message: first?.message ?? '',
        code: first?.extensions?.['code'],
        field: first?.extensions?.['field'],
        line: first?.extensions?.['line'],
      };
    }
    throw error;
  }
  throw new Error('expected the request to fail');
}
