import { describe, expect, it } from 'vitest';
import { LogLevel, LogStream } from '@fluxi/contracts';
import { LogBuffer, type BufferedLine } from './log-buffer.js';

const line = (seq: number, text: string, tsMs = 0n, stream = LogStream.STDOUT): BufferedLine => ({
  seq: BigInt(seq),
  stream,
  level: LogLevel.UNSPECIFIED,
  text,
  tsMs,
});

describe('LogBuffer', () => {
  it('gives lines back in the order they were queued', () => {
    const buffer = new LogBuffer();
    buffer.push([line(1, 'a', 1n), line(2, 'b', 2n, LogStream.STDERR)]);
    buffer.push([line(3, 'c', 3n, LogStream.SYSTEM)]);
    expect(buffer.take(10, 1000).map((l) => [l.seq, l.stream, l.text])).toEqual([
      [1n, LogStream.STDOUT, 'a'],
      [2n, LogStream.STDERR, 'b'],
      [3n, LogStream.SYSTEM, 'c'],
    ]);
    expect(buffer.size).toBe(0);
    buffer.push([line(4, 'd')]);
    expect(buffer.take(10, 1000)[0]?.seq).toBe(4n);
  });

  it('takes at most maxLines', () => {
    const buffer = new LogBuffer();
    for (let i = 1; i <= 450; i += 1) buffer.push([line(i, `l${i}`)]);
    expect(buffer.take(200, 1e9)).toHaveLength(200);
    expect(buffer.take(200, 1e9)[0]?.seq).toBe(201n);
    expect(buffer.take(200, 1e9)).toHaveLength(50);
    expect(buffer.take(200, 1e9)).toHaveLength(0);
  });

  it('takes at most maxBytes of text, but always one line', () => {
    const buffer = new LogBuffer();
    buffer.push([line(1, 'x'.repeat(100)), line(2, 'y'.repeat(100)), line(3, 'z')]);
    expect(buffer.bytes).toBe(201);
    expect(buffer.take(200, 50)).toHaveLength(1);
    expect(buffer.take(200, 101).map((l) => l.text.length)).toEqual([100, 1]);
    expect(buffer.bytes).toBe(0);
  });

  it('counts text in UTF-8 bytes', () => {
    const buffer = new LogBuffer();
    buffer.push([line(1, '€')]);
    expect(buffer.bytes).toBe(3);
  });

  it('takes everything at once', () => {
    const buffer = new LogBuffer();
    buffer.push([line(1, 'a'), line(2, 'bb')]);
    expect(buffer.takeAll().map((l) => l.text)).toEqual(['a', 'bb']);
    expect([buffer.size, buffer.bytes]).toEqual([0, 0]);
  });

  it('reports the arrival time of the oldest line', () => {
    const buffer = new LogBuffer();
    expect(buffer.oldestTsMs).toBeUndefined();
    buffer.push([line(1, 'a', 5n), line(2, 'b', 9n)]);
    expect(buffer.oldestTsMs).toBe(5n);
  });
});
