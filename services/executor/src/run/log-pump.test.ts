import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogLevel, LogStream } from '@fluxi/contracts';
import { tempDir } from '@fluxi/testkit';
import type { BufferedLine } from '../domain/log-buffer.js';
import { markerLine } from '../domain/log-cap.js';
import { LogPump, spoolFailedLine, type LogPumpOptions } from './log-pump.js';
import { LogSpool } from './log-spool.js';

const options: LogPumpOptions = {
  maxLines: 3,
  maxBytes: 1000,
  lingerMs: 5,
  highWaterLines: 6,
  highWaterBytes: 1e6,
  maxAttemptBytes: 0,
};
const dirs = tempDir('fluxi-log-pump-');
let spools = 0;
const spool = (maxBytes = 1024 * 1024) => new LogSpool(join(dirs.path, `attempt-${(spools += 1)}.spool`), maxBytes);

afterAll(() => dirs.remove());

/** A sender that holds every chunk until `open()`, as when NATS is away. */
function heldSender() {
  const chunks: BufferedLine[][] = [];
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const send = async (lines: BufferedLine[]) => {
    await opened;
    chunks.push(lines);
  };
  return { chunks, send, open, seqs: () => chunks.flat().map((line) => Number(line.seq)) };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

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

  it('without a spool, reports saturation while sending is slow and releases readers once drained', async () => {
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

  it('fails finish() when sending gives up, says how many lines were lost, and frees paused readers', async () => {
    const pump = new LogPump(() => Promise.reject(new Error('gave up')), Promise.resolve(), options);
    for (let i = 0; i < 8; i += 1) pump.append(LogStream.STDOUT, 'x');
    let drained = false;
    pump.onDrain(() => (drained = true));
    await expect(pump.finish()).rejects.toThrow('8 log lines (of 8) were not published: gave up');
    expect(drained).toBe(true);
  });

  it('finishes at once with last seq 0 when there was no output', async () => {
    const pump = new LogPump(async () => undefined, Promise.resolve(), options);
    expect(await pump.finish()).toBe(0n);
  });

  it('keeps lines past the memory marks in its spool, without pausing readers, and sends them all in order', async () => {
    const sender = heldSender();
    const pump = new LogPump(sender.send, Promise.resolve(), options, spool());
    for (let i = 1; i <= 5000; i += 1) {
      pump.append(i % 2 === 0 ? LogStream.STDOUT : LogStream.STDERR, `line ${i}`);
      await null; // let the tail go to disk as it would between output chunks
    }
    expect(pump.saturated).toBe(false);
    sender.open();
    expect(await pump.finish()).toBe(5000n);
    expect(sender.seqs()).toEqual(range(1, 5000));
    expect(sender.chunks.flat().map((line) => line.text)).toEqual(range(1, 5000).map((i) => `line ${i}`));
    expect(sender.chunks.flat().map((line) => line.stream)).toEqual(
      range(1, 5000).map((i) => (i % 2 === 0 ? LogStream.STDOUT : LogStream.STDERR)),
    );
  });

  it('pauses readers once the spool is full, and lets them go on once it has been sent', async () => {
    const sender = heldSender();
    const pump = new LogPump(sender.send, Promise.resolve(), options, spool(2000));
    let appended = 0;
    while (!pump.saturated && appended < 100_000) {
      appended += 1;
      pump.append(LogStream.STDOUT, `line ${appended}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(pump.saturated).toBe(true);
    // Memory (6 lines, and the chunk held) and 2000 bytes of spool: far fewer than 100 000 lines.
    expect(appended).toBeLessThan(200);
    let resumed = false;
    pump.onDrain(() => (resumed = true));
    // Lines already read from the job when it paused still come in.
    pump.append(LogStream.SYSTEM, 'after the pause');
    expect(resumed).toBe(false);
    sender.open();
    expect(await pump.finish()).toBe(BigInt(appended + 1));
    expect(resumed).toBe(true);
    expect(sender.seqs()).toEqual(range(1, appended + 1));
    expect(sender.chunks.flat().at(-1)?.text).toBe('after the pause');
  });

  it('never waits for ever on a spool too small for even one batch', async () => {
    const sender = heldSender();
    const pump = new LogPump(sender.send, Promise.resolve(), options, spool(10));
    for (let i = 1; i <= 50; i += 1) pump.append(LogStream.STDOUT, `a longer line ${i}`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pump.saturated).toBe(true);
    sender.open();
    expect(await pump.finish()).toBe(50n);
    expect(sender.seqs()).toEqual(range(1, 50));
  });

  it('says so in the log and falls back to pausing readers when the spool cannot be written', async () => {
    const notAFolder = join(dirs.path, 'not-a-folder');
    writeFileSync(notAFolder, '');
    const broken = new LogSpool(join(notAFolder, 'attempt.spool'), 1024 * 1024);
    const sender = heldSender();
    const pump = new LogPump(sender.send, Promise.resolve(), options, broken);
    for (let i = 1; i <= 20; i += 1) pump.append(LogStream.STDOUT, `line ${i}`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(broken.failure).toBe('EEXIST'); // mkdir: a file is in the way
    expect(pump.saturated).toBe(true);
    let resumed = false;
    pump.onDrain(() => (resumed = true));
    sender.open();
    expect(await pump.finish()).toBe(21n);
    expect(resumed).toBe(true);
    const lines = sender.chunks.flat();
    expect(lines.map((line) => Number(line.seq))).toEqual(range(1, 21));
    expect(lines.filter((line) => line.stream === LogStream.SYSTEM).map((line) => line.text)).toEqual([
      spoolFailedLine('EEXIST'),
    ]);
  });

  it('keeps the level of each line', async () => {
    const chunks: BufferedLine[][] = [];
    const pump = new LogPump(async (lines) => void chunks.push(lines), Promise.resolve(), options);
    pump.append(LogStream.STDERR, 'ERROR boom', LogLevel.ERROR);
    pump.append(LogStream.STDOUT, 'plain');
    await pump.finish();
    expect(chunks.flat().map((line) => [line.text, line.level])).toEqual([
      ['ERROR boom', LogLevel.ERROR],
      ['plain', LogLevel.UNSPECIFIED],
    ]);
  });

  it('past the attempt cap drops output lines after one marker and keeps SYSTEM lines', async () => {
    const sender = heldSender();
    // 10 lines of 10 bytes fit in 100; the rest is dropped.
    const pump = new LogPump(sender.send, Promise.resolve(), { ...options, maxAttemptBytes: 100 }, undefined);
    for (let i = 0; i < 10; i += 1) pump.append(LogStream.STDOUT, `line ${String(i).padStart(5, '0')}`);
    const before = { saturated: pump.saturated };
    for (let i = 0; i < 100_000; i += 1) pump.append(LogStream.STDERR, `dropped ${i}`);
    // Dropped lines take no room: they add nothing to what readers may have to wait for.
    expect(pump.saturated).toBe(before.saturated);
    pump.append(LogStream.SYSTEM, 'job timed out', LogLevel.ERROR);
    sender.open();
    expect(await pump.finish()).toBe(12n);
    const lines = sender.chunks.flat();
    expect(lines.map((line) => Number(line.seq))).toEqual(range(1, 12));
    expect(lines.slice(10).map((line) => [line.stream, line.level, line.text])).toEqual([
      [LogStream.SYSTEM, LogLevel.WARN, markerLine(100)],
      [LogStream.SYSTEM, LogLevel.ERROR, 'job timed out'],
    ]);
    expect(pump.dropped).toEqual({ lines: 100_000, bytes: expect.any(Number) });
  });

  it('sends a line after a quiet spell at once, and lets lines that stream in fill a chunk', async () => {
    const chunks: string[][] = [];
    let sent!: () => void;
    let firstSent = new Promise<void>((resolve) => (sent = resolve));
    const send = async (lines: BufferedLine[]) => {
      chunks.push(lines.map((line) => line.text));
      sent();
    };
    // A linger far longer than the test's timeout: only a line sent without it can be seen.
    const pump = new LogPump(send, Promise.resolve(), { ...options, maxLines: 10, lingerMs: 600_000 });
    pump.append(LogStream.STDOUT, 'first');
    await firstSent;
    expect(chunks).toEqual([['first']]);
    // Right after a send, output is streaming: these wait for the chunk to fill (or the finish).
    firstSent = new Promise<void>((resolve) => (sent = resolve));
    for (const text of ['a', 'b', 'c']) pump.append(LogStream.STDOUT, text);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(chunks).toEqual([['first']]);
    expect(await pump.finish()).toBe(4n);
    expect(chunks).toEqual([['first'], ['a', 'b', 'c']]);
  });

  it('hands over one chunk at a time: the next once the previous one is acknowledged', async () => {
    const handed: number[][] = [];
    const acks: Array<() => void> = [];
    const send = (lines: BufferedLine[]) => {
      handed.push(lines.map((line) => Number(line.seq)));
      return new Promise<void>((resolve) => acks.push(resolve));
    };
    const pump = new LogPump(send, Promise.resolve(), { ...options, highWaterLines: 100 });
    for (let i = 1; i <= 9; i += 1) pump.append(LogStream.STDOUT, `l${i}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handed).toEqual([range(1, 3)]);
    acks.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handed).toEqual([range(1, 3), range(4, 6)]);
    const finished = pump.finish();
    while (handed.length < 3 || acks.length > 0) {
      acks.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await finished).toBe(9n);
    expect(handed.flat()).toEqual(range(1, 9));
  });

  it('grows a chunk past maxLines up to maxChunkLines while lines wait to be sent', async () => {
    const sender = heldSender();
    const pump = new LogPump(sender.send, Promise.resolve(), {
      ...options,
      highWaterLines: 1000,
      maxChunkLines: 50,
    });
    for (let i = 1; i <= 120; i += 1) pump.append(LogStream.STDOUT, `l${i}`);
    sender.open();
    expect(await pump.finish()).toBe(120n);
    expect(sender.chunks.map((chunk) => chunk.length)).toEqual([50, 50, 20]);
    expect(sender.seqs()).toEqual(range(1, 120));
  });

  it('when sending gives up, counts as lost only the lines never acknowledged', async () => {
    let sent = 0;
    const send = async () => {
      const chunk = (sent += 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
      // The first chunk is acknowledged, the second fails (the third is never sent).
      if (chunk === 2) throw new Error('gave up');
    };
    const pump = new LogPump(send, Promise.resolve(), { ...options, highWaterLines: 100 });
    for (let i = 1; i <= 9; i += 1) pump.append(LogStream.STDOUT, `l${i}`);
    await expect(pump.finish()).rejects.toThrow('6 log lines (of 9) were not published: gave up');
    expect(sent).toBe(2);
  });

  it('reads at the pace lines are published while acks come: readers pause at the marks, nothing goes to disk', async () => {
    const chunks: BufferedLine[][] = [];
    const send = async (lines: BufferedLine[]) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      chunks.push(lines);
    };
    const onDisk = spool();
    const pump = new LogPump(send, Promise.resolve(), { ...options, stallMs: 60_000 }, onDisk);
    let pauses = 0;
    for (let i = 1; i <= 300; i += 1) {
      pump.append(LogStream.STDOUT, `line ${i}`);
      expect(onDisk.lines).toBe(0);
      if (pump.saturated) {
        pauses += 1;
        await new Promise<void>((resolve) => pump.onDrain(resolve));
      }
    }
    expect(await pump.finish()).toBe(300n);
    expect(pauses).toBeGreaterThan(0);
    expect(onDisk.bytes).toBe(0);
    expect(chunks.flat().map((line) => Number(line.seq))).toEqual(range(1, 300));
  });

  it('once publishing has waited stallMs, lets paused readers go on into the spool', async () => {
    for (const gateOpen of [true, false]) {
      const sender = heldSender();
      let openGate!: () => void;
      const gate = gateOpen ? Promise.resolve() : new Promise<void>((resolve) => (openGate = resolve));
      const onDisk = spool();
      const pump = new LogPump(sender.send, gate, { ...options, stallMs: 40 }, onDisk);
      let appended = 0;
      while (!pump.saturated) pump.append(LogStream.STDOUT, `line ${(appended += 1)}`);
      // Paused at the memory marks, as publishing has not waited long yet (for the chunk's ack, or the gate).
      expect(appended).toBeLessThanOrEqual(options.highWaterLines + 1);
      const resumed = new Promise<void>((resolve) => pump.onDrain(resolve));
      await resumed;
      for (let i = 0; i < 500; i += 1) pump.append(LogStream.STDOUT, `line ${(appended += 1)}`);
      await new Promise((resolve) => setImmediate(resolve));
      expect(pump.saturated).toBe(false);
      expect(onDisk.lines).toBeGreaterThan(0);
      if (!gateOpen) openGate();
      sender.open();
      expect(await pump.finish()).toBe(BigInt(appended));
      expect(sender.seqs()).toEqual(range(1, appended));
    }
  });
});
