import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger, Registry } from '@fluxi/common';
import { gql, mountSubgraph, serveInProcess, type Resolvers } from '@fluxi/graphql';
import type { DocumentNode } from 'graphql';
import { AppModule, type AppDeps } from '../../app.module.js';
import { buildExecutorResolvers } from '../graphql/executor-resolvers.js';
import { SubgraphResolvers } from '../graphql/subgraph-resolvers.js';
import { typeDefs } from '../graphql/type-defs.js';
import { scheduleHistoryResolvers, scheduleHistoryTypeDefs } from '../graphql/schedule-history.js';
import { webhookDeliveryResolvers, webhookDeliveryTypeDefs } from '../graphql/webhook-deliveries.js';
import { statsResolvers, statsTypeDefs, type StatsSources } from '../graphql/stats.js';

export interface HttpServer {
  /** `http://127.0.0.1:<port>` (the subgraph is at `${url}/graphql`). */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the Nest application with the GraphQL subgraph mounted at /graphql. */
export async function startHttp(
  deps: AppDeps,
  options: {
    host: string;
    port: number;
    logger?: Logger;
    metrics: Registry;
    stats: StatsSources;
    /** Parts of the subgraph that live elsewhere (notifications' delivery log). */
    extensions?: ReadonlyArray<{ typeDefs: DocumentNode; resolvers: Resolvers }>;
  },
): Promise<HttpServer> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(deps), { logger: false });
  try {
    const runs = app.get(SubgraphResolvers).build();
    const executors = buildExecutorResolvers(deps.executors, deps.queries);
    const deliveries = webhookDeliveryResolvers(deps.deliveries);
    const history = scheduleHistoryResolvers(deps.scheduleHistory, deps.queries);
    const stats = statsResolvers(options.stats);
    const extensions = options.extensions ?? [];
    const extra = (type: string) =>
      Object.assign({}, ...extensions.map((e) => (e.resolvers as Record<string, object>)[type]));
    const resolvers = {
      ...runs,
      ...executors,
      ...history,
      ...stats,
      ...Object.assign({}, ...extensions.map((e) => e.resolvers)),
      Query: { ...runs.Query, ...executors.Query, ...deliveries.Query, ...stats.Query, ...extra('Query') },
      Mutation: { ...runs.Mutation, ...executors.Mutation, ...extra('Mutation') },
    };
    // Mounted before listen(), so before the not-found handler Nest adds when it initialises.
    const apollo = await mountSubgraph(app.getHttpAdapter().getInstance(), {
      typeDefs: gql`
        ${typeDefs}
        ${webhookDeliveryTypeDefs}
        ${scheduleHistoryTypeDefs}
        ${statsTypeDefs}
        ${extensions.map((e) => e.typeDefs.loc?.source.body ?? '').join('\n')}
      `,
      resolvers,
      health: { service: 'scheduler', checks: deps.health },
      metrics: options.metrics,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    await app.listen(options.port, options.host);
    const { port } = app.getHttpServer().address() as AddressInfo;
    const host = ['0.0.0.0', '::', ''].includes(options.host) ? '127.0.0.1' : options.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    // This process's gateway calls the subgraph without HTTP; closing ends that first.
    const unserve = serveInProcess(`${url}/graphql`, apollo);
    return {
      url,
      async close() {
        unserve();
        await app.close();
        await apollo.stop();
      },
    };
  } catch (error) {
    await app.close();
    throw error;
  }
}
