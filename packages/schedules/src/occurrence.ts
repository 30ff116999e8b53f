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

/** Reads an occurrence key back; null when `key` is not one. */
export function parseOccurrenceKey(key: string): { scheduleId: string; plannedTime: Date } | null {
  const match = /^schedule:([^:]+):(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)$/.exec(key);
  if (match === null) return null;
  const plannedTime = new Date(match[2] as string);
  if (Number.isNaN(plannedTime.getTime()) || plannedTime.toISOString() !== match[2]) return null;
  return { scheduleId: match[1] as string, plannedTime };
}
