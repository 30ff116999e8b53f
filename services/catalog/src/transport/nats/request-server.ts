import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from '@fluxi/common';
import type { Nats } from '@fluxi/messaging';
import { AccessStore } from '../../store/access-store.js';
import { JobStore } from '../../store/job-store.js';
import { PipelineStore } from '../../store/pipeline-store.js';
import { LOGGER, NATS } from '../../tokens.js';
import { serveCatalogRequests } from './request-handlers.js';

/** Serves the catalog's NATS request/reply subjects for the lifetime of the application. */
@Injectable()
export class RequestServer implements OnApplicationBootstrap, OnModuleDestroy {
  private stop: (() => void) | undefined;

  constructor(
    @Inject(NATS) private readonly nats: Nats,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(JobStore) private readonly jobs: JobStore,
    @Inject(PipelineStore) private readonly pipelines: PipelineStore,
    @Inject(AccessStore) private readonly access: AccessStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stop = serveCatalogRequests(this.nats.nc, {
      jobs: this.jobs,
      pipelines: this.pipelines,
      access: this.access,
      logger: this.logger,
    });
    // The subscriptions are on the server before the catalog says it has started.
    await this.nats.nc.flush();
  }

  onModuleDestroy(): void {
    this.stop?.();
    this.stop = undefined;
  }
}
