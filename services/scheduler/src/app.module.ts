import { Module, type DynamicModule } from '@nestjs/common';
import type { HealthChecks } from '@fluxi/common';
import type { RunQueries } from './engine/queries.js';
import type { RunEngine } from './engine/run-engine.js';
import { HEALTH_CHECKS, RUN_ENGINE, RUN_QUERIES } from './tokens.js';
import { SubgraphResolvers } from './transport/graphql/subgraph-resolvers.js';
import { HealthController } from './transport/http/health.controller.js';

export interface AppDeps {
  engine: RunEngine;
  queries: RunQueries;
  /** What GET /health checks, by name. */
  health: HealthChecks;
}

/** The scheduler's Nest application: /health, and the resolvers main.ts mounts at /graphql. */
@Module({})
export class AppModule {
  static forRoot(deps: AppDeps): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController],
      providers: [
        { provide: RUN_ENGINE, useValue: deps.engine },
        { provide: RUN_QUERIES, useValue: deps.queries },
        { provide: HEALTH_CHECKS, useValue: deps.health },
        SubgraphResolvers,
      ],
    };
  }
}
