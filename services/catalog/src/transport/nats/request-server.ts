import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { FluxiConfig, Logger } from '@fluxi/common';
import type { Nats } from '@fluxi/messaging';
import { AccessStore } from '../../store/access-store.js';
import { JobStore } from '../../store/job-store.js';
import { PipelineStore } from '../../store/pipeline-store.js';
import { CATALOG_CONFIG, LOGGER, NATS } from '../../tokens.js';
import { serveAuthRequests } from './auth-handlers.js';
import { serveCatalogRequests } from './request-handlers.js';

/** Serves the catalog's NATS request/reply subjects for the lifetime of the application. */
@Injectable()
export class RequestServer implements OnApplicationBootstrap, OnModuleDestroy {
  private stops: (() => void)[] = [];

  constructor(
    @Inject(NATS) private readonly nats: Nats,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(JobStore) private readonly jobs: JobStore,
    @Inject(PipelineStore) private readonly pipelines: PipelineStore,
    @Inject(AccessStore) private readonly access: AccessStore,
    @Inject(CATALOG_CONFIG) private readonly config: FluxiConfig['catalog'],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stops.push(
      serveCatalogRequests(this.nats.nc, {
        jobs: this.jobs,
        pipelines: this.pipelines,
        access: this.access,
        logger: this.logger,
      }),
      serveAuthRequests(this.nats.nc, this.access, this.config.sessionHours * 3_600_000, this.logger),
    );
    // The subscriptions are on the server before the catalog says it has started.
    await this.nats.nc.flush();
  }

  onModuleDestroy(): void {
    for (const stop of this.stops.splice(0)) stop();
  }
}
