import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { FluxiConfig, Logger } from '@fluxi/common';
import type { DurableConsumer, Nats } from '@fluxi/messaging';
import { AccessStore } from '../../store/access-store.js';
import { AuditStore } from '../../store/audit-store.js';
import { CATALOG_CONFIG, LOGGER, NATS } from '../../tokens.js';
import { startAuditIngestor } from './audit-ingestor.js';

const HOUR_MS = 3_600_000;

/**
 * The audit log's upkeep for the catalog's lifetime: stores the entries published on FLUXI_AUDIT,
 * and every hour (and at start) deletes entries older than `catalog.auditRetentionDays` and
 * sessions that ended a day ago, logging how many.
 */
@Injectable()
export class AuditTasks implements OnApplicationBootstrap, OnModuleDestroy {
  private consumer: DurableConsumer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pruning: Promise<void> = Promise.resolve();

  constructor(
    @Inject(NATS) private readonly nats: Nats,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(AuditStore) private readonly audit: AuditStore,
    @Inject(AccessStore) private readonly access: AccessStore,
    @Inject(CATALOG_CONFIG) private readonly config: FluxiConfig['catalog'],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = await startAuditIngestor(this.nats, this.audit, this.logger);
    this.pruning = this.prune();
    this.timer = setInterval(() => {
      this.pruning = this.pruning.then(() => this.prune());
    }, HOUR_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.pruning;
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  private async prune(): Promise<void> {
    try {
      const now = Date.now();
      const entries = await this.audit.prune(new Date(now - this.config.auditRetentionDays * 24 * HOUR_MS));
      const sessions = await this.access.pruneSessions(new Date(now - 24 * HOUR_MS));
      if (entries + sessions > 0)
        this.logger.info({ entries, sessions }, 'audit retention: deleted old entries and sessions');
    } catch (err) {
      this.logger.warn({ err }, 'audit retention pass failed; the next one tries again');
    }
  }
}
