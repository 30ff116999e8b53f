import { describe, expect, it } from 'vitest';
import { LogStream } from '@fluxi/contracts';
import { LogBuffer } from './log-buffer.js';

describe('LogBuffer', () => {
  it('numbers lines from 1 across streams in arrival order', () => {
    const buffer = new LogBuffer();
    buffer.append(LogStream.STDOUT, 'a', 1n);
    buffer.append(LogStream.STDERR, 'b', 2n);
    buffer.append(LogStream.SYSTEM, 'c', 3n);
    expect(buffer.take(10, 1000).map((line) => [line.seq, line.stream, line.text])).toEqual([
      [1n, LogStream.STDOUT, 'a'],
      [2n, LogStream.STDERR, 'b'],
      [3n, LogStream.SYSTEM, 'c'],
    ]);
    expect(buffer.lastSeq).toBe(3n);
    expect(buffer.size).toBe(0);
    buffer.append(LogStream.STDOUT, 'd', 4n);
    expect(buffer.take(10, 1000)[0]?.seq).toBe(4n);
  });

  it('takes at most maxLines', () => {
    const buffer = new LogBuffer();
    for (let i = 0; i < 450; i += 1) buffer.append(LogStream.STDOUT, `l${i}`, 0n);
    expect(buffer.take(200, 1e9)).toHaveLength(200);
    expect(buffer.take(200, 1e9)[0]?.seq).toBe(201n);
    expect(buffer.take(200, 1e9)).toHaveLength(50);
    expect(buffer.take(200, 1e9)).toHaveLength(0);
  });

  it('takes at most maxBytes of text, but always one line', () => {
    const buffer = new LogBuffer();
    buffer.append(LogStream.STDOUT, 'x'.repeat(100), 0n);
    buffer.append(LogStream.STDOUT, 'y'.repeat(100), 0n);
    buffer.append(LogStream.STDOUT, 'z', 0n);
    expect(buffer.bytes).toBe(201);
    expect(buffer.take(200, 50)).toHaveLength(1);
    expect(buffer.take(200, 101).map((line) => line.text.length)).toEqual([100, 1]);
    expect(buffer.bytes).toBe(0);
  });

  it('reports the arrival time of the oldest line', () => {
    const buffer = new LogBuffer();
    expect(buffer.oldestTsMs).toBeUndefined();
    buffer.append(LogStream.STDOUT, 'a', 5n);
    buffer.append(LogStream.STDOUT, 'b', 9n);
    expect(buffer.oldestTsMs).toBe(5n);
  });
});
