import { describe, expect, it } from 'vitest';
import { LogStream } from '@fluxi/contracts';
import type { BufferedLine } from '../domain/log-buffer.js';
import { LogPump, type LogPumpOptions } from './log-pump.js';

const options: LogPumpOptions = { maxLines: 3, maxBytes: 1000, lingerMs: 5, highWaterLines: 6, highWaterBytes: 1e6 };

describe('LogPump', () => {
  it('sends nothing before the gate opens, then every line in seq order in chunks', async () => {
    const chunks: BufferedLine[][] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const pump = new LogPump(async (lines) => void chunks.push(lines), gate, options);
    for (let i = 1; i <= 7; i += 1) pump.append(LogStream.STDOUT, `l${i}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(chunks).toHaveLength(0);
    open();
    expect(await pump.finish()).toBe(7n);
    expect(chunks.every((chunk) => chunk.length <= 3)).toBe(true);
    expect(chunks.flat().map((line) => line.text)).toEqual(['l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7']);
    expect(chunks.flat().map((line) => Number(line.seq))).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('reports saturation while sending is slow and releases readers once drained', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const pump = new LogPump(() => blocked, Promise.resolve(), options);
    for (let i = 0; i < 8; i += 1) pump.append(LogStream.STDERR, 'x');
    expect(pump.saturated).toBe(true);
    let drained = false;
    pump.onDrain(() => (drained = true));
    expect(drained).toBe(false);
    release();
    expect(await pump.finish()).toBe(8n);
    expect(drained).toBe(true);
    expect(pump.saturated).toBe(false);
  });

  it('fails finish() when sending gives up, and frees paused readers', async () => {
    const pump = new LogPump(() => Promise.reject(new Error('gave up')), Promise.resolve(), options);
    for (let i = 0; i < 8; i += 1) pump.append(LogStream.STDOUT, 'x');
    let drained = false;
    pump.onDrain(() => (drained = true));
    await expect(pump.finish()).rejects.toThrow('gave up');
    expect(drained).toBe(true);
  });

  it('finishes at once with last seq 0 when there was no output', async () => {
    const pump = new LogPump(async () => undefined, Promise.resolve(), options);
    expect(await pump.finish()).toBe(0n);
  });
});
