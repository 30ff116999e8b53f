import { lineText } from './line-text.js';

/** Longest line kept, in bytes of UTF-8; the rest of a longer line is dropped and noted. */
export const MAX_LINE_BYTES = 64 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a byte stream into text lines on \n. A trailing \r is removed (\r\n
 * endings), no newline is kept, NUL bytes and invalid UTF-8 become U+FFFD (see
 * `lineText`: this is the one place output bytes become text), and a line longer
 * than `maxBytes` of UTF-8 is cut at a character boundary with a note saying how
 * many bytes of output were dropped. Memory stays bounded by `maxBytes` whatever
 * the input, even a huge line of binary data without \n.
 */
export class LineSplitter {
  private parts: Uint8Array[] = [];
  private keptBytes = 0;
  private droppedBytes = 0;
  private endsWithCarriageReturn = false;
  private pending = false;

  constructor(private readonly maxBytes = MAX_LINE_BYTES) {}

  /** Feeds bytes; returns the lines they complete. */
  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.keep(chunk.subarray(start));
        return lines;
      }
      this.keep(chunk.subarray(start, newline));
      lines.push(this.emit());
      start = newline + 1;
    }
  }

  /** Returns the final partial line (text after the last \n), if any. */
  end(): string[] {
    return this.pending ? [this.emit()] : [];
  }

  private keep(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pending = true;
    this.endsWithCarriageReturn = bytes[bytes.length - 1] === CARRIAGE_RETURN;
    const room = this.maxBytes - this.keptBytes;
    if (bytes.length <= room) {
      this.parts.push(new Uint8Array(bytes)); // a copy: the caller may reuse its buffer
      this.keptBytes += bytes.length;
      return;
    }
    if (room > 0) {
      this.parts.push(new Uint8Array(bytes.subarray(0, room)));
      this.keptBytes += room;
    }
    this.droppedBytes += bytes.length - Math.max(room, 0);
  }

  private emit(): string {
    let bytes = concat(this.parts, this.keptBytes);
    let dropped = this.droppedBytes;
    if (this.endsWithCarriageReturn) {
      if (dropped > 0) dropped -= 1;
      else bytes = bytes.subarray(0, bytes.length - 1);
    }
    if (dropped > 0) {
      const end = utf8SafeEnd(bytes);
      dropped += bytes.length - end;
      bytes = bytes.subarray(0, end);
    }
    const { text, usedBytes } = lineText(bytes, this.maxBytes);
    dropped += bytes.length - usedBytes;
    this.parts = [];
    this.keptBytes = 0;
    this.droppedBytes = 0;
    this.endsWithCarriageReturn = false;
    this.pending = false;
    return dropped > 0 ? `${text} [line truncated: ${dropped} more bytes dropped]` : text;
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Length of `bytes` without a multi-byte UTF-8 character cut at its end. */
export function utf8SafeEnd(bytes: Uint8Array): number {
  const i = bytes.length;
  // Walk back over at most 3 continuation bytes (10xxxxxx) to the lead byte.
  let back = 0;
  while (back < 3 && i - back - 1 >= 0 && ((bytes[i - back - 1] as number) & 0xc0) === 0x80) back += 1;
  const leadIndex = i - back - 1;
  if (leadIndex < 0) return i;
  const lead = bytes[leadIndex] as number;
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  if (needed === 1) return back === 0 ? i : leadIndex + 1;
  return back + 1 >= needed ? i : leadIndex;
}
