import { Module, type DynamicModule } from '@nestjs/common';
import type { FluxiConfig, HealthChecks, Logger } from '@fluxi/common';
import type { Database } from '@fluxi/db';
import { natsHealthCheck, openScheduleBucket, type Nats } from '@fluxi/messaging';
import { DefinitionsService } from './app/definitions.js';
import type { WebhookSecrets } from './domain/webhook-secrets.js';
import { AccessStore } from './store/access-store.js';
import { AuditStore } from './store/audit-store.js';
import { JobStore } from './store/job-store.js';
import { PipelineStore } from './store/pipeline-store.js';
import { ScheduleStore } from './store/schedule-store.js';
import { SecretStore } from './store/secret-store.js';
import { CATALOG_CONFIG, DATABASE, GRAPHQL_RESOLVERS, HEALTH_CHECKS, LOGGER, NATS } from './tokens.js';
import { accessResolvers } from './transport/graphql/access-resolvers.js';
import { asCodeResolvers } from './transport/graphql/as-code-resolvers.js';
import { copyResolvers } from './transport/graphql/copy-resolvers.js';
import { definitionResolvers } from './transport/graphql/definition-resolvers.js';
import { mergeResolvers } from './transport/graphql/resolvers.js';
import { scheduleResolvers } from './transport/graphql/schedule-resolvers.js';
import { secretResolvers } from './transport/graphql/secret-resolvers.js';
import { settingsResolvers } from './transport/graphql/settings-resolvers.js';
import { AuditTasks } from './transport/nats/audit-tasks.js';
import { RequestServer } from './transport/nats/request-server.js';
import { SchedulePublisher } from './transport/nats/schedule-publisher.js';
import { SecretRequestServer } from './transport/nats/secret-requests.js';

/** What main.ts opens before the module is built (and closes after it). */
export interface CatalogDeps {
  db: Database;
  nats: Nats;
  logger: Logger;
  /** Seals and opens webhook secrets with the installation's key. */
  secrets: WebhookSecrets;
  config: FluxiConfig['catalog'];
}

@Module({})
export class AppModule {
  static forRoot(deps: CatalogDeps): DynamicModule {
    return {
      module: AppModule,
      providers: [
        { provide: DATABASE, useValue: deps.db },
        { provide: NATS, useValue: deps.nats },
        { provide: LOGGER, useValue: deps.logger },
        { provide: CATALOG_CONFIG, useValue: deps.config },
        { provide: AuditStore, useFactory: (db: Database) => new AuditStore(db), inject: [DATABASE] },
        {
          provide: HEALTH_CHECKS,
          useFactory: (db: Database, nats: Nats): HealthChecks => ({
            nats: natsHealthCheck(nats.nc),
            database: () => db.query('SELECT 1'),
          }),
          inject: [DATABASE, NATS],
        },
        { provide: JobStore, useFactory: (db: Database) => new JobStore(db, deps.secrets.keys), inject: [DATABASE] },
        {
          provide: PipelineStore,
          useFactory: (db: Database) => new PipelineStore(db, deps.secrets),
          inject: [DATABASE],
        },
        { provide: ScheduleStore, useFactory: (db: Database) => new ScheduleStore(db), inject: [DATABASE] },
        {
          provide: SchedulePublisher,
          useFactory: async (nats: Nats, schedules: ScheduleStore) =>
            new SchedulePublisher(await openScheduleBucket(nats), schedules, deps.logger),
          inject: [NATS, ScheduleStore],
        },
        { provide: AccessStore, useFactory: (db: Database) => new AccessStore(db), inject: [DATABASE] },
        { provide: SecretStore, useFactory: () => new SecretStore(deps.db, deps.secrets.keys) },
        {
          provide: DefinitionsService,
          useFactory: (db: Database) => new DefinitionsService(db, deps.secrets.keys),
          inject: [DATABASE],
        },
        {
          provide: GRAPHQL_RESOLVERS,
          useFactory: (
            jobs: JobStore,
            pipelines: PipelineStore,
            schedules: ScheduleStore,
            access: AccessStore,
            definitions: DefinitionsService,
            nats: Nats,
            publisher: SchedulePublisher,
            audit: AuditStore,
          ) =>
            mergeResolvers(
              definitionResolvers(jobs, pipelines),
              scheduleResolvers(schedules, pipelines, jobs, publisher),
              accessResolvers(access, audit, nats.nc),
              asCodeResolvers(definitions, () => publisher.syncAll()),
              settingsResolvers(nats),
              secretResolvers(deps.db, deps.secrets.keys, deps.logger),
              copyResolvers(jobs, pipelines, schedules, publisher),
            ),
          inject: [
            JobStore,
            PipelineStore,
            ScheduleStore,
            AccessStore,
            DefinitionsService,
            NATS,
            SchedulePublisher,
            AuditStore,
          ],
        },
        RequestServer,
        SecretRequestServer,
        AuditTasks,
      ],
    };
  }
}
