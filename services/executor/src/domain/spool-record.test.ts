import { describe, expect, it } from 'vitest';
import { LogLevel, LogStream } from '@fluxi/contracts';
import type { BufferedLine } from './log-buffer.js';
import { RecordDecoder, encodeRecords } from './spool-record.js';

const lines: BufferedLine[] = [
  { seq: 1n, stream: LogStream.STDOUT, level: LogLevel.UNSPECIFIED, text: 'hello', tsMs: 1_700_000_000_000n },
  { seq: 2n, stream: LogStream.STDERR, level: LogLevel.ERROR, text: '', tsMs: 1_700_000_000_001n },
  { seq: 3n, stream: LogStream.SYSTEM, level: LogLevel.WARN, text: '€ and 😀 \uFFFD', tsMs: 0n },
];

describe('spool records', () => {
  it('reads back the lines written, with their seq, stream, level and time', () => {
    expect(new RecordDecoder().push(encodeRecords(lines))).toEqual(lines);
  });

  it('completes a record split across pieces, whatever the cut', () => {
    const bytes = encodeRecords(lines);
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      const decoder = new RecordDecoder();
      const read = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))];
      expect(read).toEqual(lines);
      expect(decoder.pendingBytes).toBe(0);
    }
  });

  it('keeps an incomplete record for later', () => {
    const bytes = encodeRecords(lines.slice(0, 1));
    const decoder = new RecordDecoder();
    expect(decoder.push(bytes.subarray(0, bytes.length - 1))).toEqual([]);
    expect(decoder.pendingBytes).toBe(bytes.length - 1);
  });

  it('refuses a record too short to hold its header', () => {
    expect(() => new RecordDecoder().push(Buffer.from([0, 0, 0, 3, 1, 2, 3]))).toThrow('corrupt log spool record');
  });
});
