import { describe, expect, it } from 'vitest';
import { LogStream } from '@fluxi/contracts';
import { formatBytes, LogCap, markerLine } from './log-cap.js';

describe('LogCap', () => {
  it('keeps output lines while they fit, then drops every later one, counting them', () => {
    const cap = new LogCap(10);
    expect(cap.admit(LogStream.STDOUT, 4)).toBe('keep');
    expect(cap.admit(LogStream.STDERR, 6)).toBe('keep');
    expect(cap.reached).toBe(false);
    expect(cap.admit(LogStream.STDOUT, 1)).toBe('drop');
    expect(cap.reached).toBe(true);
    // A short line after the cap is dropped too: the stored log ends at one place.
    expect(cap.admit(LogStream.STDOUT, 0)).toBe('drop');
    expect([cap.droppedLines, cap.droppedBytes]).toEqual([2, 1]);
  });

  it('always keeps SYSTEM lines', () => {
    const cap = new LogCap(1);
    expect(cap.admit(LogStream.STDOUT, 5)).toBe('drop');
    expect(cap.admit(LogStream.SYSTEM, 500)).toBe('keep');
    expect(cap.droppedLines).toBe(1);
  });

  it('keeps everything with 0 (no cap)', () => {
    const cap = new LogCap(0);
    for (let i = 0; i < 100; i += 1) expect(cap.admit(LogStream.STDOUT, 1 << 20)).toBe('keep');
    expect(cap.reached).toBe(false);
  });
});

describe('markerLine', () => {
  it('says the size, the key and that the job went on', () => {
    expect(markerLine(100 * 1024 * 1024)).toBe(
      'log truncated: this job printed more than 100 MiB of log output (executor.maxLogBytesPerAttempt); the rest was not stored, and the job goes on',
    );
    expect([formatBytes(512), formatBytes(1536), formatBytes(3 * 1024 ** 3)]).toEqual(['512 B', '1.5 KiB', '3 GiB']);
  });
});
