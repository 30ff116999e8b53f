import { silentLogger } from '@fluxi/common';
import { create, GetJobRunRequestSchema, GetJobRunResponseSchema, Subjects } from '@fluxi/contracts';
import { serve, type NatsConnection } from '@fluxi/messaging';

/**
 * Stands in for the scheduler on fluxi.scheduler.jobrun.get: answers for the job runs a
 * test declares (id → latest attempt), NOT_FOUND for any other, as the scheduler does.
 */
export class FakeScheduler {
  readonly jobRuns = new Map<string, number>();
  private stopServing: (() => void) | undefined;

  constructor(private readonly nc: NatsConnection) {}

  /** Serves the subject; resolves once the server has the subscription. */
  async start(): Promise<this> {
    this.stopServing = serve(this.nc, {
      subject: Subjects.jobRunGet,
      request: GetJobRunRequestSchema,
      response: GetJobRunResponseSchema,
      logger: silentLogger(),
      handler: async ({ jobRunId }) => {
        const attempt = this.jobRuns.get(jobRunId);
        return create(GetJobRunResponseSchema, {
          result:
            attempt === undefined
              ? { case: 'error', value: { code: 'NOT_FOUND', message: `job run ${jobRunId} does not exist` } }
              : { case: 'jobRun', value: { jobRunId, pipelineRunId: 'R-fake', attempt } },
        });
      },
    });
    await this.nc.flush();
    return this;
  }

  stop(): void {
    this.stopServing?.();
  }
}
