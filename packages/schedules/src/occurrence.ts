/**
 * The idempotency key of one occurrence of a schedule: `schedule:<id>:<ISO planned time>`
 * (`schedule:S01…:2026-03-29T01:00:00.000Z`). Two scheduler leaders computing the same occurrence
 * compute the same key, so the trigger's unique constraint lets only one run start.
 */
export function occurrenceKey(scheduleId: string, plannedTime: Date): string {
  if (scheduleId === '' || scheduleId.includes(':')) throw new Error(`invalid schedule id "${scheduleId}"`);
  if (Number.isNaN(plannedTime.getTime())) throw new Error('invalid planned time');
  return `schedule:${scheduleId}:${plannedTime.toISOString()}`;
}

/**
 * The idempotency key of the run one occurrence starts for one of the schedule's targets:
 * `schedule:<id>:<ISO planned time>:<pipeline or job id>`. The trigger holds a key unique across
 * all runs, and a schedule with several targets starts one run per target at each occurrence.
 */
export function targetOccurrenceKey(scheduleId: string, plannedTime: Date, targetId: string): string {
  if (targetId === '' || targetId.includes(':')) throw new Error(`invalid target id "${targetId}"`);
  return `${occurrenceKey(scheduleId, plannedTime)}:${targetId}`;
}

/** Reads an occurrence key (with or without its target) back; null when `key` is not one. */
export function parseOccurrenceKey(key: string): { scheduleId: string; plannedTime: Date; targetId?: string } | null {
  const match = /^schedule:([^:]+):(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)(?::([^:]+))?$/.exec(key);
  if (match === null) return null;
  const plannedTime = new Date(match[2] as string);
  if (Number.isNaN(plannedTime.getTime()) || plannedTime.toISOString() !== match[2]) return null;
  const occurrence = { scheduleId: match[1] as string, plannedTime };
  return match[3] === undefined ? occurrence : { ...occurrence, targetId: match[3] };
}
