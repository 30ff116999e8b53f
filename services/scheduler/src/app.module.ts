import { Module, type DynamicModule } from '@nestjs/common';
import type { HealthChecks } from '@fluxi/common';
import type { RunQueries } from './engine/queries.js';
import type { RunEngine } from './engine/run-engine.js';
import type { ScheduleHistoryStore } from './store/schedule-history.js';
import type { WebhookDeliveryStore } from './store/webhook-deliveries.js';
import type { ExecutorDirectory } from './transport/nats/executor-directory.js';
import { RUN_ENGINE, RUN_QUERIES } from './tokens.js';
import { SubgraphResolvers } from './transport/graphql/subgraph-resolvers.js';

export interface AppDeps {
  engine: RunEngine;
  queries: RunQueries;
  /** What GET /health checks, by name. */
  health: HealthChecks;
  /** The executor registry (executors query, drain/resume). */
  executors: ExecutorDirectory;
  /** Received git webhook deliveries (webhookDeliveries). */
  deliveries: WebhookDeliveryStore;
  /** Schedule fire history (Schedule.history). */
  scheduleHistory: ScheduleHistoryStore;
}

/** The scheduler's Nest application: the resolvers mounted at /graphql (with /health). */
@Module({})
export class AppModule {
  static forRoot(deps: AppDeps): DynamicModule {
    return {
      module: AppModule,
      providers: [
        { provide: RUN_ENGINE, useValue: deps.engine },
        { provide: RUN_QUERIES, useValue: deps.queries },
        SubgraphResolvers,
      ],
    };
  }
}
