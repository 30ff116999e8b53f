import { lineText } from './line-text.js';

/** Default longest line, in bytes of UTF-8 (`executor.maxLineBytes`). */
export const MAX_LINE_BYTES = 64 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Splits a byte stream into text lines on \n. A trailing \r is removed (\r\n
 * endings), no newline is kept, NUL bytes and invalid UTF-8 become U+FFFD (see
 * `lineText`: this is the one place output bytes become text), and a line longer
 * than `maxBytes` of UTF-8 is split into consecutive lines of at most `maxBytes`,
 * each cut at a character boundary: nothing is dropped, and memory stays bounded
 * by `maxBytes` plus one pushed chunk whatever the input, even a huge line of
 * binary data without \n.
 */
export class LineSplitter {
  private parts: Uint8Array[] = [];
  private keptBytes = 0;

  constructor(private readonly maxBytes = MAX_LINE_BYTES) {}

  /** Feeds bytes; returns the lines (and pieces of long lines) they complete. */
  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    let start = 0;
    // The line started in earlier chunks ends the usual way; the whole lines after it are
    // decoded at once when they can be (see wholeLines), not one by one.
    if (this.keptBytes > 0) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) {
        this.keep(chunk, lines);
        return lines;
      }
      this.keep(chunk.subarray(0, newline), lines);
      this.endLine(lines);
      start = newline + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start && this.wholeLines(chunk.subarray(start, last), lines)) start = last + 1;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.keep(chunk.subarray(start), lines);
        return lines;
      }
      this.keep(chunk.subarray(start, newline), lines);
      this.endLine(lines);
      start = newline + 1;
    }
  }

  /**
   * Lines without their \n, `region` holding no partial line: when all of it is UTF-8
   * without NUL and no line is longer than the cap, one decode and a split give the same
   * lines as cutting and decoding each (a \n byte is never part of a multi-byte character).
   * Returns false, having added nothing, when the region needs the line-by-line way.
   */
  private wholeLines(region: Uint8Array, out: string[]): boolean {
    if (region.includes(0)) return false;
    let text: string;
    try {
      text = strictUtf8.decode(region);
    } catch {
      return false;
    }
    const lines = text.split('\n');
    for (const line of lines) {
      // A UTF-16 unit is at most 3 bytes of UTF-8: only a long line is measured.
      if (line.length * 3 > this.maxBytes && Buffer.byteLength(line, 'utf8') > this.maxBytes) return false;
    }
    for (const line of lines) out.push(line.endsWith('\r') ? line.slice(0, -1) : line);
    return true;
  }

  /** Returns the final partial line (text after the last \n), if any. */
  end(): string[] {
    const lines: string[] = [];
    if (this.keptBytes > 0) this.endLine(lines);
    return lines;
  }

  private keep(bytes: Uint8Array, out: string[]): void {
    if (bytes.length === 0) return;
    this.parts.push(new Uint8Array(bytes)); // a copy: the caller may reuse its buffer
    this.keptBytes += bytes.length;
    // One byte more than a piece stays behind, so a \r ending the line is seen before it is cut.
    if (this.keptBytes > this.maxBytes + 1) this.emitPieces(this.maxBytes + 1, out);
  }

  private endLine(out: string[]): void {
    let bytes = this.joined();
    if (bytes[bytes.length - 1] === CARRIAGE_RETURN) bytes = bytes.subarray(0, bytes.length - 1);
    this.parts = [bytes];
    this.keptBytes = bytes.length;
    // Full pieces first, then what is left (binary text may still need more than one piece:
    // each replacement takes 3 bytes); an empty line is one empty line.
    this.emitPieces(0, out);
    let rest = this.joined();
    do {
      const { text, usedBytes } = lineText(rest, this.maxBytes);
      out.push(text);
      rest = rest.subarray(Math.max(1, usedBytes));
    } while (rest.length > 0);
    this.parts = [];
    this.keptBytes = 0;
  }

  /** Emits full pieces while more than `leave` bytes are kept. */
  private emitPieces(leave: number, out: string[]): void {
    let bytes = this.joined();
    while (bytes.length > Math.max(leave, this.maxBytes)) {
      const end = Math.max(1, utf8SafeEnd(bytes.subarray(0, this.maxBytes)));
      const { text, usedBytes } = lineText(bytes.subarray(0, end), this.maxBytes);
      out.push(text);
      bytes = bytes.subarray(Math.max(1, usedBytes));
    }
    this.parts = bytes.length === 0 ? [] : [new Uint8Array(bytes)];
    this.keptBytes = bytes.length;
  }

  private joined(): Uint8Array {
    if (this.parts.length === 0) return new Uint8Array(0);
    if (this.parts.length === 1) return this.parts[0] as Uint8Array;
    const out = new Uint8Array(this.keptBytes);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
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
