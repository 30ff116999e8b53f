import { HeaderMap, type ApolloServer } from '@apollo/server';
import { tracingEnabled } from '@fluxi/telemetry';
import { decodePrincipal, PRINCIPAL_HEADER } from './principal.js';
import type { SubgraphContext } from './subgraph.js';

/**
 * Subgraphs this process serves, by the URL the gateway dials (`http://host:port/graphql`). In
 * the one-process layout (`fluxi-server`, `npm start`) the gateway's requests to them skip HTTP:
 * no socket, no HTTP parsing, no Express, no event-loop turn per read and write (a trigger's call
 * ~23.5 → ~20 ms at p50 on a busy two-core machine, bench/README.md). The operation still goes
 * through the subgraph's Apollo Server, its plugins and error formatting, with the same context.
 */
const served = new Map<string, ApolloServer<SubgraphContext>>();

/** Serves `server`'s operations to this process's gateway at `url` without HTTP; returns the undo. */
export function serveInProcess(url: string, server: ApolloServer<SubgraphContext>): () => void {
  const key = new URL(url).href;
  served.set(key, server);
  return () => {
    if (served.get(key) === server) served.delete(key);
  };
}

/**
 * A fetch for requests to subgraphs: a POST to a subgraph of this process is run in process,
 * anything else goes to `fallback`. With tracing on every request goes over HTTP, so that each
 * subgraph keeps its server span. `init.signal` bounds the wait, as it bounds an HTTP request.
 */
export function inProcessFetch(fallback: typeof fetch): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const server = served.size === 0 || tracingEnabled() ? undefined : served.get(new URL(url).href);
    if (server === undefined || init?.method !== 'POST' || typeof init.body !== 'string') return fallback(input, init);
    const { signal } = init;
    if (signal === undefined || signal === null) return execute(server, init.headers, init.body);
    signal.throwIfAborted();
    let stop = (): void => undefined;
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = (): void => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      stop = () => signal.removeEventListener('abort', onAbort);
    });
    try {
      return await Promise.race([execute(server, init.headers, init.body), aborted]);
    } finally {
      stop();
    }
  };
}

/** Runs one POSTed operation on `server`, with the context its HTTP route would give it. */
async function execute(
  server: ApolloServer<SubgraphContext>,
  headerInit: RequestInit['headers'],
  body: string,
): Promise<Response> {
  const headers = new HeaderMap();
  for (const [name, value] of new Headers(headerInit)) headers.set(name, value);
  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: '', body: JSON.parse(body) as unknown },
    context: async () => ({ principal: decodePrincipal(headers.get(PRINCIPAL_HEADER)) }),
  });
  let text: string;
  if (response.body.kind === 'complete') text = response.body.string;
  else {
    text = '';
    for await (const part of response.body.asyncIterator) text += part;
  }
  return new Response(text, { status: response.status ?? 200, headers: [...response.headers] });
}
