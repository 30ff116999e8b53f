import { CancelJobRunSchema, ContractVersion, create, Subjects } from '@fluxi/contracts';
import { encode, type JetStreamClient } from '@fluxi/messaging';
import type { ExecutorControl } from '../../engine/ports.js';

/**
 * Publishes CancelJobRun on the FLUXI_CONTROL stream, which every executor reads: the one
 * running the attempt kills it, even if it was cut off from NATS when the cancel was sent.
 * Resolves once JetStream has stored each cancel (deduplicated per attempt and reason).
 */
export class NatsExecutorControl implements ExecutorControl {
  constructor(private readonly js: JetStreamClient) {}

  async cancel(attempts: readonly { jobRunId: string; attempt: number; reason: string }[]): Promise<void> {
    await Promise.all(
      attempts.map((attempt) =>
        this.js.publish(
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
          { msgID: `cancel-${attempt.jobRunId}-${attempt.attempt}` },
        ),
      ),
    );
  }
}
