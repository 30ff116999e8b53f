import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogLevel, LogStream } from '@fluxi/contracts';
import { tempDir } from '@fluxi/testkit';
import type { BufferedLine } from '../domain/log-buffer.js';
import { LogSpool, spoolPath } from './log-spool.js';

const dirs = tempDir('fluxi-log-spool-');
afterAll(() => dirs.remove());

const lines = (from: number, to: number, text = 'line'): BufferedLine[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    seq: BigInt(from + i),
    stream: LogStream.STDOUT,
    level: (from + i) % 2 === 0 ? LogLevel.ERROR : LogLevel.UNSPECIFIED,
    text: `${text} ${from + i}`,
    tsMs: 1000n + BigInt(i),
  }));

function readAll(spool: LogSpool): BufferedLine[] {
  const out: BufferedLine[] = [];
  while (spool.lines > 0) out.push(...spool.read());
  return out;
}

describe('LogSpool', () => {
  it('gives lines back first in, first out, across reads of many blocks', () => {
    const spool = new LogSpool(spoolPath(dirs.path, 'JR1', 1), 64 * 1024 * 1024);
    const written = lines(1, 30_000, 'a fairly long line of output, to fill several read blocks');
    expect(spool.write(written.slice(0, 10_000))).toBe('written');
    expect(spool.write(written.slice(10_000))).toBe('written');
    expect(spool.lines).toBe(30_000);
    expect(readAll(spool)).toEqual(written);
    expect(spool.read()).toEqual([]);
    spool.close();
  });

  it('leaves no file behind, even while open', () => {
    const path = spoolPath(dirs.path, 'JR2', 3);
    const spool = new LogSpool(path, 1024 * 1024);
    expect(spool.write(lines(1, 10))).toBe('written');
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(join(dirs.path, 'log-spool'))).toEqual([]);
    expect(readAll(spool)).toHaveLength(10);
    spool.close();
    spool.close();
  });

  it('refuses a write past its size, and has all its room again once read back', () => {
    const spool = new LogSpool(spoolPath(dirs.path, 'JR3', 1), 1000);
    expect(spool.write(lines(1, 20))).toBe('written');
    const used = spool.bytes;
    expect(used).toBeGreaterThan(500);
    expect(spool.write(lines(21, 40))).toBe('full');
    expect(spool.lines).toBe(20);
    expect(readAll(spool).map((line) => Number(line.seq))).toEqual(lines(1, 20).map((line) => Number(line.seq)));
    expect(spool.bytes).toBe(0);
    expect(spool.write(lines(21, 40))).toBe('written');
    expect(readAll(spool)[0]?.seq).toBe(21n);
    spool.close();
  });

  it('takes no more lines once closed', () => {
    const spool = new LogSpool(spoolPath(dirs.path, 'JR4', 1), 1000);
    spool.close();
    expect(spool.usable).toBe(false);
    expect(spool.write(lines(1, 1))).toBe('failed');
  });
});
