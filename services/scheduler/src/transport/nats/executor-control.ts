import { CancelJobRunSchema, ContractVersion, create, Subjects } from '@fluxi/contracts';
import { encode, type NatsConnection } from '@fluxi/messaging';
import type { ExecutorControl } from '../../engine/ports.js';

/** Broadcasts CancelJobRun to every executor (core NATS): the one running the attempt kills it. */
export class NatsExecutorControl implements ExecutorControl {
  constructor(private readonly nc: NatsConnection) {}

  async cancel(attempts: readonly { jobRunId: string; attempt: number; reason: string }[]): Promise<void> {
    for (const attempt of attempts) {
      this.nc.publish(
        Subjects.jobRunCancel,
        encode(
          CancelJobRunSchema,
          create(CancelJobRunSchema, {
            version: ContractVersion.CONTRACT_VERSION_1,
            jobRunId: attempt.jobRunId,
            attempt: attempt.attempt,
            reason: attempt.reason,
          }),
        ),
      );
    }
    await this.nc.flush();
  }
}
