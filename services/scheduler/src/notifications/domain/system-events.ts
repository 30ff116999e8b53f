import type { FireRecord } from '../../domain/fire-records.js';
import type { NotificationOccurrence } from './events.js';

/**
 * `schedule.fire_failed`: one occurrence per fire record in which a target could not be started
 * (the whole fire FAILED, or some targets of a FIRED one). Pure.
 */
export function scheduleFireFailures(
  records: readonly FireRecord[],
  nameOf: (scheduleId: string) => string | undefined,
): NotificationOccurrence[] {
  return records.flatMap((record) => {
    const errors = record.outcomes.flatMap((o) =>
      'error' in o ? [{ [o.target.kind + 'Id']: o.target.id, error: o.error }] : [],
    );
    if (record.status !== 'FAILED' && errors.length === 0) return [];
    const pipelineIds = record.outcomes.flatMap((o) =>
      'error' in o && o.target.kind === 'pipeline' ? [o.target.id] : [],
    );
    return [
      {
        key: `schedule:${record.scheduleId}:${record.planned.toISOString()}`,
        type: 'schedule.fire_failed' as const,
        at: record.firedAt ?? record.planned,
        pipelineRunId: null,
        // A fire of one pipeline passes that pipeline's filter; others only unfiltered subscriptions.
        pipelineId: pipelineIds.length === 1 ? (pipelineIds[0] as string) : null,
        data: {
          scheduleId: record.scheduleId,
          name: nameOf(record.scheduleId) ?? null,
          plannedAt: record.planned.toISOString(),
          status: record.status,
          message: record.reason,
          errors,
        },
      },
    ];
  });
}

/** What the dead-letter system records of an event it gave up on. */
export interface DeadLetterFacts {
  stream: string;
  subject: string;
  streamSeq: number;
  jobRunId: string | null;
  error: string;
  deliveries: number;
}

/**
 * `system.critical_error`: an executor event the scheduler could not apply at any delivery was
 * dead-lettered (its attempt is failed as infrastructure; someone should look). Pure.
 */
export function deadLetterOccurrence(letter: DeadLetterFacts, at: Date): NotificationOccurrence {
  return {
    key: `dead-letter:${letter.stream}:${letter.streamSeq}`,
    type: 'system.critical_error',
    at,
    pipelineRunId: null,
    pipelineId: null,
    data: {
      name: 'event dead-lettered',
      message: `an executor event could not be applied at any of ${letter.deliveries} deliveries: ${letter.error}`,
      stream: letter.stream,
      subject: letter.subject,
      streamSeq: letter.streamSeq,
      jobRunId: letter.jobRunId,
    },
  };
}
