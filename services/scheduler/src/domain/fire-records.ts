import type { DuePlan } from '@fluxi/schedules';
import type { ScheduleTarget } from './schedule-spec.js';

/** What happened to one planned time of a schedule (a row of its history). */
export type FireStatus = 'FIRED' | 'SKIPPED' | 'QUEUED' | 'FAILED';

/** What one target got at a fire. */
export type TargetOutcome =
  | { target: ScheduleTarget; started: { runId: string; number: number; created: boolean } }
  | { target: ScheduleTarget; queued: true }
  | { target: ScheduleTarget; skipped: string }
  | { target: ScheduleTarget; error: string };

export interface FireRecord {
  scheduleId: string;
  planned: Date;
  status: FireStatus;
  /** Why nothing (or not everything) started. */
  reason: string | null;
  /** When the trigger was called; null when skipped. */
  firedAt: Date | null;
  outcomes: TargetOutcome[];
  /** An unlisted range of skipped times (a long downtime): (`skippedAfter`, `planned`], `skippedCount` of them. */
  skippedAfter: Date | null;
  skippedCount: number | null;
}

const REASONS: Record<string, string> = {
  missed: 'missed while no scheduler ran (missedFires: skip)',
  'run-once': 'missed while no scheduler ran; a later planned time ran for it (missedFires: run_once)',
  'catch-up-limit': 'missed while no scheduler ran; older than the catch-up limit (missedFires: all)',
};

/** The history rows of the times a plan skips (listed ones, then one row for an unlisted range). */
export function skippedRecords(scheduleId: string, plan: DuePlan): FireRecord[] {
  const records: FireRecord[] = plan.skipped.map(({ planned, reason }) => ({
    scheduleId,
    planned,
    status: 'SKIPPED',
    reason: REASONS[reason] ?? reason,
    firedAt: null,
    outcomes: [],
    skippedAfter: null,
    skippedCount: null,
  }));
  const range = plan.skippedUnlisted;
  if (range !== null) {
    records.unshift({
      scheduleId,
      planned: range.through,
      status: 'SKIPPED',
      reason: `${REASONS[range.reason] ?? range.reason}: ${range.atLeast ? 'at least ' : ''}${range.count} times, not listed one by one`,
      firedAt: null,
      outcomes: [],
      skippedAfter: range.after,
      skippedCount: range.count,
    });
  }
  return records;
}

/** The row of a fire from what each target got. */
export function fireRecord(scheduleId: string, planned: Date, firedAt: Date, outcomes: TargetOutcome[]): FireRecord {
  const started = outcomes.filter((o) => 'started' in o).length;
  const queued = outcomes.filter((o) => 'queued' in o).length;
  const errors = outcomes.flatMap((o) => ('error' in o ? [o.error] : []));
  const skips = outcomes.flatMap((o) => ('skipped' in o ? [o.skipped] : []));
  const status: FireStatus = started > 0 ? 'FIRED' : queued > 0 ? 'QUEUED' : errors.length > 0 ? 'FAILED' : 'SKIPPED';
  const reasons = [...new Set([...errors, ...skips])];
  return {
    scheduleId,
    planned,
    status,
    reason: reasons.length === 0 ? null : reasons.join('; '),
    firedAt,
    outcomes,
    skippedAfter: null,
    skippedCount: null,
  };
}
