import { LogStream } from '@fluxi/contracts';

/** What becomes of a line under the per-attempt log cap. */
export type CapDecision = 'keep' | 'drop';

/**
 * The per-attempt cap on stored log text (`executor.maxLogBytesPerAttempt`). Output lines
 * are kept while their UTF-8 bytes fit; the first that does not is dropped and so is every
 * later one, with the truncation marker (`markerLine`) stored once in their place. SYSTEM
 * lines (Fluxi's own: timeout, kill, the marker itself) are always kept: they are few and
 * say how the attempt ended. Pure bookkeeping; 0 means no cap.
 */
export class LogCap {
  private storedBytes = 0;
  private dropped = { lines: 0, bytes: 0 };

  constructor(readonly maxBytes: number) {}

  /** Decides for a line of `bytes` UTF-8 bytes on `stream`, and counts it. */
  admit(stream: LogStream, bytes: number): CapDecision {
    if (stream === LogStream.SYSTEM || this.maxBytes === 0) return 'keep';
    if (this.dropped.lines === 0 && this.storedBytes + bytes <= this.maxBytes) {
      this.storedBytes += bytes;
      return 'keep';
    }
    this.dropped.lines += 1;
    this.dropped.bytes += bytes;
    return 'drop';
  }

  /** Whether the cap was reached (the caller writes the marker when this first turns true). */
  get reached(): boolean {
    return this.dropped.lines > 0;
  }

  /** Output lines and their bytes dropped so far. */
  get droppedLines(): number {
    return this.dropped.lines;
  }

  get droppedBytes(): number {
    return this.dropped.bytes;
  }
}

/** The one SYSTEM line written where an attempt's output stops being stored. */
export function markerLine(maxBytes: number): string {
  return `log truncated: this job printed more than ${formatBytes(maxBytes)} of log output (executor.maxLogBytesPerAttempt); the rest was not stored, and the job goes on`;
}

/** Bytes for people: 100 MiB, 1.5 KiB, 512 B. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${units[unit] as string}`;
}
