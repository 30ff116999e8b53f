import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import { GraphQLError } from 'graphql';
import type { Logger } from '@fluxi/common';
import { injectTraceHeaders, traceHttpRequests, tracingEnabled } from '@fluxi/telemetry';
import { createFormatError, encodePrincipal, inProcessFetch, PRINCIPAL_HEADER, type Principal } from '@fluxi/graphql';
import type { AuditLog } from '../access/audit-log.js';
import { auditMutations } from '../access/audit-plugin.js';
import { forgetKeysOnAuthChange } from '../access/auth-change-plugin.js';
import { addressOf, type AuthedRequest } from './auth.js';

export interface GatewayContext {
  principal: Principal | undefined;
  /** The client's address (for the audit log). */
  address?: string | undefined;
}

export interface Subgraph {
  name: string;
  url: string;
}

/** Refuses mutations to reader keys before any subgraph is called. */
const readersCannotWrite: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, contextValue }) {
        if (operation?.operation === 'mutation' && contextValue.principal?.role === 'reader') {
          throw new GraphQLError(
            'this operation changes data and needs the writer role; your key has the reader role',
            {
              extensions: { code: 'FORBIDDEN', http: { status: 403 } },
            },
          );
        }
      },
    };
  },
};

/**
 * The federated GraphQL endpoint: composes the subgraphs (introspected at start, then
 * polled so a restarted subgraph is picked up) and forwards the caller's principal.
 */
export async function mountGateway(
  app: Express,
  subgraphs: Subgraph[],
  logger: Logger,
  audit: AuditLog,
  forgetKeys: () => void,
  path = '/graphql',
): Promise<ApolloServer<GatewayContext>> {
  // Unless told otherwise, Apollo's gateway sends usage figures to Apollo and, to label them,
  // probes the cloud providers' metadata addresses (AWS, GCP, Azure, Alibaba) at start: a
  // self-hosted CI server calls nobody by itself. APOLLO_TELEMETRY_DISABLED=false turns it back on.
  process.env['APOLLO_TELEMETRY_DISABLED'] ??= 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: new IntrospectAndCompose({ subgraphs, pollIntervalInMs: 10_000 }),
    logger: {
      debug: (m: unknown) => logger.debug(String(m)),
      info: (m: unknown) => logger.debug(String(m)),
      warn: (m: unknown) => logger.warn(String(m)),
      error: (m: unknown) => logger.error(String(m)),
    },
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url: url as string,
        // Node's fetch (undici) retires a pooled connection before the subgraph's keep-alive
        // timeout ends; the default fetcher kept idle sockets forever, so under load a request
        // sometimes went out on a socket the subgraph was closing (ECONNRESET → internal error).
        // A subgraph of this process (the one-process layout) is called without HTTP.
        fetcher: inProcessFetch(fetch),
        willSendRequest({ request, context }) {
          if (context.principal !== undefined)
            request.http?.headers.set(PRINCIPAL_HEADER, encodePrincipal(context.principal));
          // The subgraph's spans join the trace of this request (Apollo's gateway.fetch span is active here).
          if (tracingEnabled() && request.http !== undefined) injectTraceHeaders(request.http.headers);
        },
      }),
  });
  const server = new ApolloServer<GatewayContext>({
    gateway,
    formatError: createFormatError(logger),
    includeStacktraceInErrorResponses: false,
    plugins: [readersCannotWrite, auditMutations(audit), forgetKeysOnAuthChange(forgetKeys)],
    introspection: true,
    stopOnTerminationSignals: false,
  });
  await server.start();
  app.use(
    path,
    express.json({ limit: '10mb' }),
    ...(tracingEnabled() ? [traceHttpRequests('@fluxi/gateway')] : []),
    expressMiddleware(server, {
      context: async ({ req }) => ({ principal: (req as AuthedRequest).principal, address: addressOf(req) }),
    }),
  );
  return server;
}
