import type { LogStream } from '@fluxi/contracts';

export interface BufferedLine {
  seq: bigint;
  stream: LogStream;
  text: string;
  tsMs: bigint;
}

/**
 * The lines of one attempt waiting to be published, numbered from 1 in arrival
 * order across all streams. Pure bookkeeping: no timers, no I/O.
 */
export class LogBuffer {
  private lines: BufferedLine[] = [];
  private textBytes = 0;
  private nextSeq = 1n;

  /** Numbers a line and keeps it until taken. */
  append(stream: LogStream, text: string, tsMs: bigint): BufferedLine {
    const line = { seq: this.nextSeq, stream, text, tsMs };
    this.nextSeq += 1n;
    this.lines.push(line);
    this.textBytes += byteLength(text);
    return line;
  }

  /** Lines waiting. */
  get size(): number {
    return this.lines.length;
  }

  /** UTF-8 bytes of text waiting. */
  get bytes(): number {
    return this.textBytes;
  }

  /** Seq of the last line appended so far, 0 when none. */
  get lastSeq(): bigint {
    return this.nextSeq - 1n;
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
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
