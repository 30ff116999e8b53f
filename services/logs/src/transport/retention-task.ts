import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { FluxiConfig, Logger } from '@fluxi/common';
import { LogStore, type RetentionReport } from '../store/log-store.js';
import { LOGGER, LOGS_CONFIG } from './tokens.js';

/**
 * Applies log retention every `logs.retentionIntervalSec` (and once at start): lines
 * past their retention days are deleted now rather than at ClickHouse's next TTL merge
 * (chDB merges rarely). Logs what it deleted, in counts, never line text. One pass at a
 * time; a failed pass is logged and the next one tries again.
 */
@Injectable()
export class RetentionTask implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: LogStore,
    @Inject(LOGS_CONFIG) private readonly config: FluxiConfig['logs'],
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(Math.min(1000, this.config.retentionIntervalSec * 1000));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass now; resolves with what it deleted. */
  async runOnce(): Promise<RetentionReport> {
    const started = Date.now();
    const report = await this.store.applyRetention();
    if (report.deletedLines > 0) {
      this.logger.info({ ...report, ms: Date.now() - started }, 'log retention deleted expired lines');
    } else {
      this.logger.debug({ ms: Date.now() - started }, 'log retention: nothing expired');
    }
    return report;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(
          () => undefined,
          (error: unknown) => this.logger.warn({ err: error }, 'log retention pass failed; will try again'),
        )
        .finally(() => {
          this.running = undefined;
          this.schedule(this.config.retentionIntervalSec * 1000);
        });
    }, delayMs);
  }
}
