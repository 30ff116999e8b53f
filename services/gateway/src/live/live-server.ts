import type { Server } from 'node:http';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { isFluxiError, settlesWithin, type Logger } from '@fluxi/common';
import { formatError, type Principal } from '@fluxi/graphql';
import type { AuditLog } from '../access/audit-log.js';
import type { AuthLimiter } from '../access/auth-limiter.js';
import { auditRefusedKey, keyPrefixOf } from '../transport/auth.js';
import type { KeyVerifier } from '../transport/key-verifier.js';
import { liveSchema, type LiveContext, type LiveFollows } from './live-schema.js';

/** How long a stop waits for the open sockets to close. */
const CLOSE_WAIT_MS = 3_000;
/** WebSocket close code 1001: the server is going away. */
const GOING_AWAY = 1001;

/** The API key of a graphql-ws connection: its connection params, else the upgrade request's header. */
export function connectionKey(
  params: Readonly<Record<string, unknown>> | undefined,
  header: string | undefined,
): string | undefined {
  const candidates = [params?.['authorization'], params?.['Authorization'], params?.['apiKey'], header];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const match = /^(?:Bearer\s+)?(\S+)$/i.exec(candidate.trim());
    if (match !== null) return match[1];
  }
  return undefined;
}

/** Errors of a subscription as the HTTP endpoint shapes them: a code, no stack, no path on the server. */
function shape(error: GraphQLError): GraphQLFormattedError {
  if (
    error.originalError === undefined ||
    error.originalError === null ||
    error.originalError instanceof GraphQLError
  ) {
    // Parse and validation errors of the operation itself.
    return { message: error.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
  }
  return formatError(error.toJSON(), error);
}

/**
 * Serves GraphQL subscriptions (graphql-ws protocol) on the gateway's own `/graphql`
 * path: the HTTP endpoint stays the federated supergraph, a WebSocket upgrade on the
 * same URL reaches the live schema. The API key comes in the connection params
 * (`{ authorization: "Bearer <key>" }`, or the upgrade request's Authorization header)
 * and is checked like every HTTP request's; a connection without a valid key is closed
 * with 4403 Forbidden. Subscriptions only read, so a reader key may subscribe.
 */
export function mountLive(
  server: Server,
  options: {
    path: string;
    verifier: KeyVerifier;
    follows: LiveFollows;
    logger: Logger;
    /** Refused keys count against the same limits as HTTP requests', and are audited alike. */
    limiter: AuthLimiter;
    audit: AuditLog;
  },
): { stop(): Promise<void> } {
  const { verifier, logger, limiter, audit } = options;
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    const path = new URL(request.url ?? '/', 'http://gateway').pathname;
    if (path !== options.path) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });
  const principals = new WeakMap<object, Principal>();
  const disposable = useServer<Record<string, unknown> | undefined>(
    {
      schema: liveSchema(options.follows),
      context: (ctx): LiveContext => ({ principal: principals.get(ctx) as Principal }),
      onConnect: async (ctx) => {
        const key = connectionKey(ctx.connectionParams, ctx.extra.request.headers.authorization);
        if (key === undefined) return false;
        const prefix = keyPrefixOf(key);
        const address = ctx.extra.request.socket.remoteAddress ?? 'unknown';
        if ((await limiter.retryAfterSec(prefix, address)) > 0) {
          logger.warn({ keyPrefix: prefix, address }, 'refused a live connection: too many failed authentications');
          return false;
        }
        try {
          principals.set(ctx, await verifier.verify(key));
          return true;
        } catch (error) {
          if (!isFluxiError(error)) logger.warn({ err: error }, 'could not check the API key of a live connection');
          else {
            await limiter.failed(prefix, address);
            logger.warn({ keyPrefix: prefix, address }, 'refused an API key (live connection)');
            auditRefusedKey(audit, {
              prefix,
              address,
              outcome: 'denied',
              details: { path: options.path, reason: error.message },
            });
          }
          return false;
        }
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => shape(error)) as unknown as GraphQLError[],
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (result.errors === undefined) return undefined;
        return { ...result, errors: result.errors.map((error) => shape(error)) };
      },
    },
    wss,
  );
  return {
    async stop() {
      for (const client of wss.clients) client.close(GOING_AWAY, 'the gateway is stopping');
      await settlesWithin(Promise.resolve(disposable.dispose()), CLOSE_WAIT_MS);
      wss.close();
    },
  };
}
