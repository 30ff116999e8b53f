import type { ArtifactFile, SaveResult } from '@fluxi/artifacts';

/** Files named one by one in the log; past that, a count. */
export const LISTED_FILES = 50;

/** The system log lines telling what a save of artifacts did. */
export function saveLines(report: SaveResult): string[] {
  const lines: string[] = [];
  for (const pattern of report.unmatched) lines.push(`warning: artifact pattern "${pattern}" matched no file`);
  for (const skip of report.skipped) lines.push(`artifact ${skip.path} not saved: ${skip.reason}`);
  for (const file of report.files.slice(0, LISTED_FILES))
    lines.push(`saved artifact ${file.path} (${file.sizeBytes} bytes)`);
  if (report.files.length > LISTED_FILES) lines.push(`… and ${report.files.length - LISTED_FILES} more`);
  const total = report.files.reduce((sum, file) => sum + file.sizeBytes, 0);
  lines.push(`saved ${count(report.files.length, 'artifact file')}, ${total} bytes in all`);
  return lines;
}

export function restoredLine(restored: number, from: string): string {
  return `restored ${count(restored, 'artifact file')} from ${from}`;
}

/** Most files and path bytes listed in a `finished` event, which travels in one JetStream message. */
export const EVENT_MAX_FILES = 1000;
export const EVENT_MAX_PATH_BYTES = 128 * 1024;

/**
 * The files a `finished` event lists: all of them, or the first ones within the
 * event's limits (every file is saved and listed by the store all the same).
 */
export function filesForEvent<T extends ArtifactFile>(files: readonly T[]): { listed: T[]; cut: boolean } {
  let pathBytes = 0;
  let count = 0;
  for (const file of files) {
    pathBytes += Buffer.byteLength(file.path, 'utf8');
    if (count >= EVENT_MAX_FILES || pathBytes > EVENT_MAX_PATH_BYTES) break;
    count += 1;
  }
  return { listed: files.slice(0, count), cut: count < files.length };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
