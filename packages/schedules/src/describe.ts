import cronstrue from 'cronstrue';
import type { Schedule } from './schedule.js';
import { localFields } from './time-zone.js';

/**
 * A human English description: `At 02:30, Monday through Friday (Europe/Paris)`,
 * `Once, at 2026-12-01 10:00:00 (Europe/Paris)`.
 */
export function describeSchedule(schedule: Schedule): string {
  if (schedule.kind === 'at') return `Once, at ${localText(schedule.at, schedule.timezone)} (${schedule.timezone})`;
  return `${describeCron(schedule.cron)} (${schedule.timezone})`;
}

/** Describes a valid cron expression, with the croner forms cronstrue does not read. */
export function describeCron(cron: string): string {
  const fields = cron.split(' ');
  const last = fields.length - 1;
  const dayOfWeek = fields[last] ?? '';
  // croner's `5#L` (last Friday) is cronstrue's `5L`; `+` (AND) is put in words.
  const plainDayOfWeek = dayOfWeek.replace(/^\+/, '').replace(/#L\b/gi, 'L');
  try {
    if (!dayOfWeek.startsWith('+')) return cronText([...fields.slice(0, last), plainDayOfWeek]);
    const days = cronText(['0', '0', '*', '*', plainDayOfWeek]).replace(/^At 00:00, (only )?(on )?/, '');
    return `${cronText([...fields.slice(0, last), '*'])}, if that day is also ${days}`;
  } catch {
    return cron;
  }
}

function cronText(fields: string[]): string {
  return cronstrue.toString(fields.join(' '), { use24HourTimeFormat: true, verbose: false });
}

function localText(instant: Date, timezone: string): string {
  const t = localFields(instant, timezone);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${t.year}-${two(t.month)}-${two(t.day)} ${two(t.hour)}:${two(t.minute)}:${two(t.second)}`;
}
