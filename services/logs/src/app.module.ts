import { Module, type DynamicModule } from '@nestjs/common';
import type { FluxiConfig, HealthChecks, Logger } from '@fluxi/common';
import { LogsMetrics } from './transport/logs-metrics.js';
import { natsHealthCheck, type Nats } from '@fluxi/messaging';
import { LogStore } from './store/log-store.js';
import { LogIngestor } from './transport/log-ingestor.js';
import { OutcomeIngestor } from './transport/outcome-ingestor.js';
import { RetentionTask } from './transport/retention-task.js';
import { LogsSubgraph } from './transport/graphql.js';
import { SchedulerJobRuns } from './transport/job-runs.js';
import { HEALTH_CHECKS, LOGGER, LOGS_CONFIG, NATS } from './transport/tokens.js';

/** What main.ts opens before the Nest application and closes after it. */
export interface LogsDeps {
  config: FluxiConfig['logs'];
  nats: Nats;
  store: LogStore;
  logger: Logger;
  metrics: LogsMetrics;
}

@Module({})
export class AppModule {
  static forRoot(deps: LogsDeps): DynamicModule {
    return {
      module: AppModule,
      providers: [
        { provide: LOGS_CONFIG, useValue: deps.config },
        { provide: NATS, useValue: deps.nats },
        { provide: LOGGER, useValue: deps.logger },
        { provide: LogStore, useValue: deps.store },
        { provide: LogsMetrics, useValue: deps.metrics },
        {
          provide: HEALTH_CHECKS,
          useValue: {
            nats: natsHealthCheck(deps.nats.nc, { jetstream: deps.nats.jsm }),
            clickhouse: (signal) => deps.store.ping(signal),
          } satisfies HealthChecks,
        },
        LogIngestor,
        OutcomeIngestor,
        RetentionTask,
        SchedulerJobRuns,
        LogsSubgraph,
      ],
    };
  }
}
