import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from '@fluxi/common';
import { MsgIds, finishedEvent, type AttemptRef } from '../domain/messages.js';
import { classify } from '../domain/outcome.js';
import { DRIVERS, EXECUTOR_DEPS, type ExecutorDeps } from '../deps.js';
import type { DriverHost } from '../drivers/driver.js';
import type { DriverRegistry } from '../drivers/registry.js';
import { JetStreamPublisher } from '../transport/jetstream-publisher.js';

/** How long one report of a lost attempt is retried while NATS does not take it. */
const REPORT_LOST_MS = 10_000;

/**
 * Runs the drivers' `init` before the worker takes jobs (Nest calls every
 * onModuleInit before any onApplicationBootstrap) and their `close` when the
 * executor stops. A driver reports attempts a previous life left through it: a
 * `finished` event, FAILED as infrastructure (the scheduler ignores it when that
 * attempt is no longer the current one).
 */
@Injectable()
export class DriverHooks implements OnModuleInit, OnModuleDestroy, DriverHost {
  private readonly closing = new AbortController();
  private readonly logger: Logger;

  constructor(
    @Inject(EXECUTOR_DEPS) private readonly deps: ExecutorDeps,
    @Inject(DRIVERS) private readonly drivers: DriverRegistry,
    @Inject(JetStreamPublisher) private readonly publisher: JetStreamPublisher,
  ) {
    this.logger = deps.logger.child({ component: 'drivers' });
  }

  async onModuleInit(): Promise<void> {
    await this.drivers.init(this);
    this.logger.debug({ drivers: this.drivers.names() }, 'drivers ready');
  }

  async onModuleDestroy(): Promise<void> {
    this.closing.abort();
    await this.drivers.close();
  }

  async reportLost(ref: AttemptRef, reason: string): Promise<void> {
    const outcome = classify({ kind: 'infrastructure', reason });
    const event = finishedEvent(ref, outcome, 0n, Date.now(), {
      output: new Uint8Array(),
      outputBytes: 0,
      artifacts: [],
    });
    const giveUp = AbortSignal.any([this.closing.signal, AbortSignal.timeout(REPORT_LOST_MS)]);
    await this.publisher.publishEvent(event, MsgIds.finished(ref), giveUp);
    this.logger.warn({ ...ref, reason }, 'reported a job run a previous life of this executor left');
  }
}
