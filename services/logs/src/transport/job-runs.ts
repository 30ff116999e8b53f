import { Inject, Injectable } from '@nestjs/common';
import { FluxiError } from '@fluxi/common';
import { ContractVersion, create, GetJobRunRequestSchema, GetJobRunResponseSchema, Subjects } from '@fluxi/contracts';
import { request, type Nats } from '@fluxi/messaging';
import { NATS } from './tokens.js';

/** What the logs service needs to know of a job run before reading its lines. */
export interface JobRunFacts {
  latestAttempt: number;
}

/**
 * Asks the scheduler about job runs (fluxi.scheduler.jobrun.get): the logs service
 * only knows lines, so it cannot tell an unknown job run from one that printed nothing yet.
 */
@Injectable()
export class SchedulerJobRuns {
  constructor(@Inject(NATS) private readonly nats: Nats) {}

  /** The job run's facts, or undefined when the scheduler has no such job run; UNAVAILABLE when it does not answer. */
  async find(jobRunId: string): Promise<JobRunFacts | undefined> {
    const reply = await request(
      this.nats.nc,
      Subjects.jobRunGet,
      { request: GetJobRunRequestSchema, response: GetJobRunResponseSchema },
      create(GetJobRunRequestSchema, { version: ContractVersion.CONTRACT_VERSION_1, jobRunId }),
    );
    switch (reply.result.case) {
      case 'jobRun':
        // Attempts count from 1; a job run not yet dispatched is at attempt 1 too.
        return { latestAttempt: Math.max(1, reply.result.value.attempt) };
      case 'error':
        if (reply.result.value.code === 'NOT_FOUND') return undefined;
        throw new FluxiError('INTERNAL', `the scheduler could not look up job run ${jobRunId}`);
      default:
        throw new FluxiError('INTERNAL', `empty answer on ${Subjects.jobRunGet}`);
    }
  }
}
