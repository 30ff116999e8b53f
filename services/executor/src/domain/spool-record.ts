import type { LogLevel, LogStream } from '@fluxi/contracts';
import type { BufferedLine } from './log-buffer.js';

/**
 * The binary form of a line in an attempt's log spool file:
 * u32 length of what follows, u8 stream, u8 level, u64 seq, u64 arrival time (ms), UTF-8 text.
 * All numbers big-endian.
 */
const HEADER_BYTES = 4 + 1 + 1 + 8 + 8;

/** Lines as spool records, one after the other. */
export function encodeRecords(lines: readonly BufferedLine[]): Buffer {
  const texts = lines.map((line) => Buffer.from(line.text, 'utf8'));
  const total = texts.reduce((sum, text) => sum + HEADER_BYTES + text.length, 0);
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  lines.forEach((line, i) => {
    const text = texts[i] as Buffer;
    offset = out.writeUInt32BE(HEADER_BYTES - 4 + text.length, offset);
    offset = out.writeUInt8(line.stream, offset);
    offset = out.writeUInt8(line.level, offset);
    offset = out.writeBigUInt64BE(line.seq, offset);
    offset = out.writeBigUInt64BE(line.tsMs, offset);
    offset += text.copy(out, offset);
  });
  return out;
}

/**
 * Reads spool records back from bytes given in pieces of any size: a record
 * split between two pieces is completed by the next one.
 */
export class RecordDecoder {
  private rest: Buffer = Buffer.alloc(0);

  /** Bytes received and not yet part of a complete record. */
  get pendingBytes(): number {
    return this.rest.length;
  }

  push(bytes: Uint8Array): BufferedLine[] {
    const data = this.rest.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.rest, bytes]);
    const lines: BufferedLine[] = [];
    let offset = 0;
    while (data.length - offset >= 4) {
      const length = data.readUInt32BE(offset);
      if (length < HEADER_BYTES - 4) throw new Error(`corrupt log spool record at byte ${offset}`);
      if (data.length - offset - 4 < length) break;
      const start = offset + 4;
      lines.push({
        stream: data.readUInt8(start) as LogStream,
        level: data.readUInt8(start + 1) as LogLevel,
        seq: data.readBigUInt64BE(start + 2),
        tsMs: data.readBigUInt64BE(start + 10),
        text: data.toString('utf8', start + 18, start + length),
      });
      offset = start + length;
    }
    // A copy, so the rest does not pin the whole piece in memory.
    this.rest = Buffer.from(data.subarray(offset));
    return lines;
  }
}
