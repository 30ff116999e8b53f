import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import express, { type Express, type Request } from 'express';
import { traceHttpRequests, tracingEnabled } from '@fluxi/telemetry';
import type { DocumentNode } from 'graphql';
import {
  METRICS_CONTENT_TYPE,
  serviceExposition,
  serviceHealth,
  type HealthChecks,
  type Logger,
  type Registry,
} from '@fluxi/common';
import { createFormatError } from './errors.js';
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
  /** Serves `GET /health` too: 200 when every check answers, 503 naming what is down. */
  health?: { service: string; checks: HealthChecks };
  /** Serves `GET /metrics` too (Prometheus text: this registry and the process's metrics), without auth. */
  metrics?: Registry;
  /** Where internal errors are logged with their error id. */
  logger?: Logger;
}

/**
 * Mounts an Apollo Federation subgraph on an Express app (the one under a Nest
 * application). The principal set by the gateway is in the resolver context.
 * Returns the server so the caller stops it with the app.
 */
export async function mountSubgraph(app: Express, options: SubgraphOptions): Promise<ApolloServer<SubgraphContext>> {
  const server = new ApolloServer<SubgraphContext>({
    schema: buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers }]),
    formatError: createFormatError(options.logger),
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // The service stops Apollo itself, in order, from its own stop().
    stopOnTerminationSignals: false,
    // Inline tracing is for Apollo's hosted studio; it also prints to stdout at start.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await server.start();
  if (options.health !== undefined) mountServiceHealth(app, options.health.service, options.health.checks);
  if (options.metrics !== undefined) mountMetrics(app, () => serviceExposition(options.metrics as Registry));
  app.use(
    options.path ?? '/graphql',
    express.json({ limit: '10mb' }),
    // With tracing on: a span per request, child of the gateway's (W3C traceparent header).
    ...(tracingEnabled() ? [traceHttpRequests(`@fluxi/${options.health?.service ?? 'subgraph'}`)] : []),
    expressMiddleware(server, {
      context: async ({ req }: { req: Request }) => ({ principal: decodePrincipal(req.header(PRINCIPAL_HEADER)) }),
    }),
  );
  return server;
}

/** GET /health of a service: its own dependency checks (see `serviceHealth`), without auth. */
function mountServiceHealth(app: Express, service: string, checks: HealthChecks): void {
  app.get('/health', async (_req, res) => {
    const health = await serviceHealth(service, checks);
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });
}

/** GET /metrics: the Prometheus text `exposition` gives, without auth (like /health). */
export function mountMetrics(app: Express, exposition: () => Promise<string>): void {
  app.get('/metrics', async (_req, res) => {
    try {
      const text = await exposition();
      res.status(200).type(METRICS_CONTENT_TYPE).send(text);
    } catch (error) {
      res
        .status(500)
        .type('text/plain')
        .send(`metrics failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}
