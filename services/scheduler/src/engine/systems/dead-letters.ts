import type { NewDeadLetter } from '../../store/dead-letters.js';
import type { EngineResources } from '../resources.js';
import type { AdvanceSystem } from './advance.js';

/** An event that failed every delivery, and the attempt it concerns when it could be read. */
export interface DeadLetter extends Omit<NewDeadLetter, 'lastFailedAt'> {
  readonly attempt: number | null;
}

/**
 * Dead letters: an executor event the scheduler failed to apply `maxDeliveries` times
 * is recorded (never its payload) and its attempt ends FAILED with class INFRASTRUCTURE
 * through the advance system, so the job's retry rules and the run's advance apply as
 * for any infrastructure failure. Throws when either write fails: the event is then
 * delivered again, and dead-lettered again (the record is kept once per message).
 */
export class DeadLetterSystem {
  constructor(
    private readonly resources: EngineResources,
    private readonly advance: AdvanceSystem,
  ) {}

  async handle(letter: DeadLetter): Promise<void> {
    const { attempt, ...record } = letter;
    await this.resources.store.deadLetters.record({ ...record, lastFailedAt: this.resources.now() });
    this.resources.logger.error(
      {
        stream: letter.stream,
        subject: letter.subject,
        seq: letter.streamSeq,
        jobRunId: letter.jobRunId,
        attempt,
        deliveries: letter.deliveries,
        error: letter.error,
      },
      'executor event dead-lettered: it failed to be applied at every delivery',
    );
    if (letter.jobRunId === null || attempt === null) return;
    await this.advance.fail(
      { jobRunId: letter.jobRunId, attempt },
      `Fluxi could not record this job run's result: ${letter.error}; see dead letters`,
    );
  }
}
