import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from '@fluxi/common';
import { CancelJobRunSchema, Streams, Subjects } from '@fluxi/contracts';
import { decode, followStream, type StreamFollower } from '@fluxi/messaging';
import { EXECUTOR_DEPS, type ExecutorDeps } from '../deps.js';
import { ActiveAttempts } from '../run/active-attempts.js';

/**
 * Reads CancelJobRun from the FLUXI_CONTROL stream (every executor sees every cancel)
 * and stops the attempt when it runs here. It starts after what the stream already
 * holds, before the queue worker takes its first job, and after a NATS disconnection
 * it resumes after the last cancel it read, so none sent meanwhile is lost.
 */
@Injectable()
export class CancelListener implements OnModuleInit, OnModuleDestroy {
  private follower: StreamFollower | undefined;
  private readonly logger: Logger;

  constructor(
    @Inject(EXECUTOR_DEPS) private readonly deps: ExecutorDeps,
    @Inject(ActiveAttempts) private readonly attempts: ActiveAttempts,
  ) {
    this.logger = deps.logger.child({ component: 'cancel' });
  }

  async onModuleInit(): Promise<void> {
    this.follower = await followStream(
      this.deps.nats,
      Streams.control.name,
      // The stream also carries ExecutorCommand (command-listener.ts).
      (message) => {
        if (message.subject === Subjects.jobRunCancel) this.handle(message.data);
      },
      this.logger,
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.follower?.stop();
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
