import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import express, { type Express, type Request } from 'express';
import type { DocumentNode } from 'graphql';
import { formatError } from './errors.js';
import { decodePrincipal, PRINCIPAL_HEADER, type Principal } from './principal.js';

export interface SubgraphContext {
  principal: Principal | undefined;
}

export type Resolvers = GraphQLResolverMap<SubgraphContext>;

export interface SubgraphOptions {
  typeDefs: DocumentNode;
  resolvers: Resolvers;
  /** Path to mount at; `/graphql` by default. */
  path?: string;
}

/**
 * Mounts an Apollo Federation subgraph on an Express app (the one under a Nest
 * application). The principal set by the gateway is in the resolver context.
 * Returns the server so the caller stops it with the app.
 */
export async function mountSubgraph(app: Express, options: SubgraphOptions): Promise<ApolloServer<SubgraphContext>> {
  const server = new ApolloServer<SubgraphContext>({
    schema: buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers }]),
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // The service stops Apollo itself, in order, from its own stop().
    stopOnTerminationSignals: false,
    // Inline tracing is for Apollo's hosted studio; it also prints to stdout at start.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await server.start();
  app.use(
    options.path ?? '/graphql',
    express.json({ limit: '10mb' }),
    expressMiddleware(server, {
      context: async ({ req }: { req: Request }) => ({ principal: decodePrincipal(req.header(PRINCIPAL_HEADER)) }),
    }),
  );
  return server;
}
