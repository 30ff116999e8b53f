import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from '@fluxi/common';
import { CancelJobRunSchema, Subjects } from '@fluxi/contracts';
import { decode, type NatsConnection } from '@fluxi/messaging';
import { EXECUTOR_DEPS, type ExecutorDeps } from '../deps.js';
import { ActiveAttempts } from '../run/active-attempts.js';

type Subscription = ReturnType<NatsConnection['subscribe']>;

/**
 * Listens to CancelJobRun broadcasts (core NATS, no queue group: every executor
 * hears every cancel) and stops the attempt when it runs here. Subscribed before
 * the queue worker takes its first job.
 */
@Injectable()
export class CancelListener implements OnModuleInit, OnModuleDestroy {
  private subscription: Subscription | undefined;
  private readonly logger: Logger;

  constructor(
    @Inject(EXECUTOR_DEPS) private readonly deps: ExecutorDeps,
    @Inject(ActiveAttempts) private readonly attempts: ActiveAttempts,
  ) {
    this.logger = deps.logger.child({ component: 'cancel' });
  }

  async onModuleInit(): Promise<void> {
    const nc = this.deps.nats.nc;
    this.subscription = nc.subscribe(Subjects.jobRunCancel, {
      callback: (error, message) => {
        if (error) this.logger.error({ err: error }, 'cancel subscription failed');
        else this.handle(message.data);
      },
    });
    await nc.flush();
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  private handle(data: Uint8Array): void {
    let cancel;
    try {
      cancel = decode(CancelJobRunSchema, data);
    } catch (error) {
      this.logger.warn({ err: error }, 'malformed cancel ignored');
      return;
    }
    const stopped = this.attempts.cancel(cancel.jobRunId, cancel.attempt, cancel.reason);
    this.logger.info(
      { jobRunId: cancel.jobRunId, attempt: cancel.attempt, reason: cancel.reason, stopped },
      stopped > 0 ? 'cancel received: stopping the attempt' : 'cancel received: attempt not running here',
    );
  }
}
