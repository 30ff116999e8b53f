import { nullableText, storableText } from '../domain/safe-text.js';
import type { JobRunProgress } from './records.js';
import { unnestArrays, type PendingStatement, type WriteBehind } from './write-behind.js';

/** An attempt's standard output, kept on its job run. */
export interface KeptOutput {
  readonly text: string;
  readonly bytes: number;
}

/** A timestamp as a text array element (cast back in SQL): arrays of dates are sent as text. */
export const timestampParam = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** Element types of the UPDATE's arrays, in the order of `v`'s columns. */
const UPDATE_TYPES = [
  'text',
  'text',
  'int',
  'text',
  'int',
  'text',
  'text',
  'text',
  'text',
  'boolean',
  'text',
  'bigint',
  'boolean',
];

/**
 * Job-run progress written behind, within one transaction: updates wait here and go out
 * together, in one statement with the other writes kept back (run events, stage records,
 * contexts), just before the transaction's next statement that may read or change job runs,
 * or its commit (see RunTx). A batch of events of one run (jobs' starts and ends) then costs
 * one UPDATE instead of one per event and job run, and a job run changed twice is written once, as
 * it ended up; its kept output is the last one given.
 */
export class JobRunWrites implements WriteBehind {
  private readonly pending = new Map<
    string,
    { progress: JobRunProgress; output: KeptOutput | undefined; handedOver: boolean }
  >();

  add(progress: JobRunProgress, output?: KeptOutput): void {
    const earlier = this.pending.get(progress.id);
    this.pending.set(progress.id, { progress, output: output ?? earlier?.output, handedOver: false });
  }

  /**
   * Marks the hand-over of attempt `attempt` with the job run's waiting update, when that update
   * makes it QUEUED at that attempt (a job run the step just queued): its `dispatched_attempt` is
   * then written by the same statement. False when no such update waits (mark it with a statement).
   * A later `add` for the job run drops the mark: the engine marks last in its transaction
   * (`markInStep`), and an unmarked QUEUED attempt is only handed over again (same BullMQ job id).
   */
  markHandedOver(jobRunId: string, attempt: number): boolean {
    const write = this.pending.get(jobRunId);
    if (write === undefined || write.progress.status !== 'QUEUED' || write.progress.attempt !== attempt) return false;
    write.handedOver = true;
    return true;
  }

  /**
   * Arms a PENDING job run at its current attempt (domain/arming.ts): its `dispatched_attempt` is
   * written ahead of QUEUED. Call last in the transaction: a later `add` for it drops the arming.
   */
  arm(progress: JobRunProgress): void {
    if (progress.status !== 'PENDING') throw new Error(`job run ${progress.id} is ${progress.status}, not PENDING`);
    const earlier = this.pending.get(progress.id);
    this.pending.set(progress.id, { progress, output: earlier?.output, handedOver: true });
  }

  takePending(offset: number): PendingStatement | undefined {
    if (this.pending.size === 0) return undefined;
    const writes = [...this.pending.values()];
    this.pending.clear();
    const column = <T>(value: (write: (typeof writes)[number]) => T): T[] => writes.map(value);
    return {
      sql: `UPDATE job_runs j SET status = v.status, attempt = v.attempt, not_before = v.not_before::timestamptz,
         exit_code = v.exit_code, failure_class = v.failure_class, reason = v.reason,
         started_at = v.started_at::timestamptz, ended_at = v.ended_at::timestamptz,
         output = CASE WHEN v.has_output THEN v.output ELSE j.output END,
         output_bytes = CASE WHEN v.has_output THEN v.output_bytes ELSE j.output_bytes END,
         dispatched_attempt = CASE WHEN v.handed_over THEN v.attempt ELSE j.dispatched_attempt END
       FROM unnest(${unnestArrays(offset, UPDATE_TYPES)})
         AS v (id, status, attempt, not_before, exit_code, failure_class, reason, started_at, ended_at,
           has_output, output, output_bytes, handed_over)
       WHERE j.id = v.id`,
      params: [
        column((w) => w.progress.id),
        column((w) => w.progress.status),
        column((w) => w.progress.attempt),
        column((w) => timestampParam(w.progress.notBefore)),
        column((w) => w.progress.exitCode),
        column((w) => w.progress.failureClass),
        column((w) => nullableText(w.progress.reason)),
        column((w) => timestampParam(w.progress.startedAt)),
        column((w) => timestampParam(w.progress.endedAt)),
        column((w) => w.output !== undefined),
        column((w) => (w.output === undefined ? null : storableText(w.output.text))),
        column((w) => w.output?.bytes ?? null),
        column((w) => w.handedOver),
      ],
    };
  }
}
