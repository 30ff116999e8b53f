import type { LogLevel, LogStream } from '@fluxi/contracts';

export interface BufferedLine {
  seq: bigint;
  stream: LogStream;
  /** Detected from the text for output lines, set by the writer for SYSTEM lines. */
  level: LogLevel;
  text: string;
  tsMs: bigint;
}

/**
 * Numbered lines of one attempt waiting in memory, oldest first, with the bytes
 * of their text counted. Pure bookkeeping: no timers, no I/O. The lines are
 * numbered by their owner (the log pump), which may keep some elsewhere (its
 * spool on disk) meanwhile.
 */
export class LogBuffer {
  private lines: BufferedLine[] = [];
  private textBytes = 0;

  /** Queues lines after those already waiting; their seqs must follow. */
  push(lines: readonly BufferedLine[]): void {
    for (const line of lines) {
      this.lines.push(line);
      this.textBytes += byteLength(line.text);
    }
  }

  /** Lines waiting. */
  get size(): number {
    return this.lines.length;
  }

  /** UTF-8 bytes of text waiting. */
  get bytes(): number {
    return this.textBytes;
  }

  /** Arrival time of the oldest waiting line. */
  get oldestTsMs(): bigint | undefined {
    return this.lines[0]?.tsMs;
  }

  /**
   * Takes the oldest lines: at most `maxLines` and, past the first line, no more
   * than `maxBytes` of text, so one chunk stays well under the NATS payload limit.
   */
  take(maxLines: number, maxBytes: number): BufferedLine[] {
    let count = 0;
    let bytes = 0;
    for (const line of this.lines) {
      if (count >= maxLines) break;
      const size = byteLength(line.text);
      if (count > 0 && bytes + size > maxBytes) break;
      bytes += size;
      count += 1;
    }
    this.textBytes -= bytes;
    return this.lines.splice(0, count);
  }

  /** Takes every waiting line. */
  takeAll(): BufferedLine[] {
    const lines = this.lines;
    this.lines = [];
    this.textBytes = 0;
    return lines;
  }
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
