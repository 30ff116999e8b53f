import { LogLevel, LogStream } from '@fluxi/contracts';
import { byteLength, LogBuffer, type BufferedLine } from '../domain/log-buffer.js';
import { LogCap, markerLine } from '../domain/log-cap.js';
import { DEFAULT_PUMP_OPTIONS, type LogPumpOptions } from './log-pump-options.js';
import type { LogSpool } from './log-spool.js';

export { DEFAULT_PUMP_OPTIONS, type LogPumpOptions } from './log-pump-options.js';

/** Lines waiting to go to the spool are written once they reach these (or on the next turn of the event loop). */
const TAIL_FLUSH_LINES = 1000;
const TAIL_FLUSH_BYTES = 64 * 1024;

/** Publishes one chunk; resolves once it is acknowledged, rejects only when giving up. */
export type ChunkSender = (lines: BufferedLine[]) => Promise<void>;

/**
 * Numbers the lines of one attempt and publishes them in chunks, one at a time:
 * the next is handed to the sender once the previous one is acknowledged (with more
 * in flight, a chunk written to a dying NATS connection was sent again after a later
 * one, and stored after it: the nats-outage test saw it; with chunks of up to 2000
 * lines, one round trip per chunk costs little). None is skipped, and nothing is sent
 * before `gate` resolves (the runner opens it once the `started` event is sent). `finish()` resolves
 * once every chunk is acknowledged.
 *
 * While publishing is slow or NATS is away, lines wait in three places, in seq
 * order: memory (up to the high-water marks), then the spool file on disk (up to
 * its `maxBytes`), then a short tail in memory being written to the spool. When
 * the spool is full, or there is none (`executor.logSpoolMaxBytes: 0`) or it
 * failed, `saturated` tells readers to pause until `onDrain`: the job blocks on
 * write, and no line is ever dropped. Only `finish()` failing (publishing gave up:
 * the executor is stopping) loses lines, and its error says how many.
 */
export class LogPump {
  private readonly memory = new LogBuffer();
  private readonly cap: LogCap;
  private readonly tail = new LogBuffer();
  private lastSeq = 0n;
  /** Chunks handed to the sender and not settled yet, and their lines. */
  private sending = 0;
  private inFlightLines = 0;
  /** Why the sender gave up on a chunk (the loop stops at its next turn). */
  private sendFailure: Error | undefined;
  /** When the last chunk was handed to the sender (ms; none yet: long ago). */
  private lastSendAt = Number.NEGATIVE_INFINITY;
  /**
   * Since when publishing waits: for the gate (the started event sent), then for the ack of
   * the chunk in flight; undefined while nothing is awaited.
   */
  private waitingSince: number | undefined = Date.now();
  /** Lets paused readers go on into the spool once publishing has waited stallMs. */
  private stallTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private failure: Error | undefined;
  private lost = 0;
  /** The spool said it is full: readers stay paused until it has been read back. */
  private spoolFull = false;
  private flushQueued = false;
  private clock = { ms: 0, big: 0n };
  private wake: (() => void) | undefined;
  private drainWaiters: Array<() => void> = [];
  private readonly loop: Promise<void>;

  constructor(
    private readonly send: ChunkSender,
    gate: Promise<void>,
    private readonly options: LogPumpOptions = DEFAULT_PUMP_OPTIONS,
    private readonly spool?: LogSpool,
  ) {
    this.cap = new LogCap(options.maxAttemptBytes);
    this.watchForStall();
    this.loop = this.run(gate);
  }

  /**
   * Numbers and queues a line. Past the attempt's cap an output line is dropped at once
   * (the job's output is still read, never paused for it); the first one dropped is
   * replaced by the truncation marker.
   */
  append(stream: LogStream, text: string, level: LogLevel = LogLevel.UNSPECIFIED): void {
    if (this.failure !== undefined) {
      this.lost += 1;
      return;
    }
    if (this.cap.maxBytes > 0 && this.cap.admit(stream, byteLength(text)) === 'drop') {
      if (this.cap.droppedLines === 1) this.queue(LogStream.SYSTEM, markerLine(this.cap.maxBytes), LogLevel.WARN);
      return;
    }
    this.queue(stream, text, level);
  }

  /** Output lines (and their bytes) dropped past the attempt's cap. */
  get dropped(): { lines: number; bytes: number } {
    return { lines: this.cap.droppedLines, bytes: this.cap.droppedBytes };
  }

  private queue(stream: LogStream, text: string, level: LogLevel): void {
    this.lastSeq += 1n;
    const line: BufferedLine = { seq: this.lastSeq, stream, level, text, tsMs: this.nowMs() };
    if (!this.behind && (!this.memoryFull() || !this.spilling)) {
      this.memory.push([line]);
      if (this.memory.size === 1 || this.memory.size >= this.options.maxLines) this.notify();
      return;
    }
    this.tail.push([line]);
    if (this.tail.size >= TAIL_FLUSH_LINES || this.tail.bytes >= TAIL_FLUSH_BYTES) this.flushTail();
    else this.flushSoon();
  }

  /** The time as a bigint, made once per millisecond: the lines of a burst share it. */
  private nowMs(): bigint {
    const now = Date.now();
    if (now !== this.clock.ms) this.clock = { ms: now, big: BigInt(now) };
    return this.clock.big;
  }

  /** True when readers should pause until `onDrain`. */
  get saturated(): boolean {
    if (this.spilling) return this.spoolFull;
    const size = this.memory.size + this.tail.size;
    const bytes = this.memory.bytes + this.tail.bytes;
    return size >= this.options.highWaterLines || bytes >= this.options.highWaterBytes;
  }

  /** Calls `listener` once readers may go on: the spool was read back, or memory is under half its marks. */
  onDrain(listener: () => void): void {
    if (this.canResume()) listener();
    else this.drainWaiters.push(listener);
  }

  /** Sends what is left and resolves with the last seq; rejects when publishing gave up. */
  async finish(): Promise<bigint> {
    this.closed = true;
    this.notify();
    await this.loop;
    if (this.failure !== undefined) {
      throw new Error(`${this.lost} log lines (of ${this.lastSeq}) were not published: ${this.failure.message}`, {
        cause: this.failure,
      });
    }
    return this.lastSeq;
  }

  private async run(gate: Promise<void>): Promise<void> {
    try {
      await gate;
      this.waited();
      for (;;) {
        this.throwIfSendFailed();
        this.refill();
        if (this.memory.size === 0) {
          this.releaseReaders();
          if (this.closed && this.sending === 0) return;
          await this.sleep();
          continue;
        }
        await this.linger();
        // The chunk in flight still awaits its ack: wait for it (it wakes the loop).
        if (this.sending > 0) {
          await this.sleep();
          continue;
        }
        const lines = this.memory.take(this.options.maxChunkLines ?? this.options.maxLines, this.options.maxBytes);
        this.refill();
        this.releaseReaders();
        this.lastSendAt = Date.now();
        this.dispatch(lines);
      }
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      // The chunks still in flight settle first: those acknowledged are not lost.
      while (this.sending > 0) await this.sleep();
      this.lost += this.inFlightLines + this.memory.size + this.tail.size + (this.spool?.lines ?? 0);
      this.releaseReaders(true);
    } finally {
      this.waited();
      this.spool?.close();
    }
  }

  /**
   * A chunk lingers for more lines only while output streams (a chunk went out within the
   * linger): the first line after a quiet spell, e.g. a job's first, goes at once. Acks
   * arriving meanwhile wake the loop; the linger goes on until its time or a full chunk.
   */
  private async linger(): Promise<void> {
    const { lingerMs, maxLines } = this.options;
    if (Date.now() - this.lastSendAt >= lingerMs) return;
    for (;;) {
      if (this.closed || this.sendFailure !== undefined || this.memory.size >= maxLines) return;
      const age = Date.now() - Number(this.memory.oldestTsMs ?? 0n);
      if (age >= lingerMs) return;
      await this.sleep(lingerMs - age);
    }
  }

  /** Hands a chunk to the sender without awaiting it; its settling wakes the loop. */
  private dispatch(lines: BufferedLine[]): void {
    this.sending += 1;
    this.inFlightLines += lines.length;
    this.waitingSince = Date.now();
    this.watchForStall();
    const settled = () => {
      this.sending -= 1;
      this.waited();
      this.notify();
    };
    this.send(lines).then(
      () => {
        this.inFlightLines -= lines.length;
        settled();
      },
      (error: unknown) => {
        this.sendFailure ??= error instanceof Error ? error : new Error(String(error));
        settled();
      },
    );
  }

  private throwIfSendFailed(): void {
    if (this.sendFailure !== undefined) throw this.sendFailure;
  }

  /** Whether lines past the memory marks can go to disk. */
  private get spooling(): boolean {
    return this.spool?.usable === true;
  }

  /** Lines wait in the tail or the spool: later ones follow them there, to keep their order. */
  private get behind(): boolean {
    return this.tail.size > 0 || (this.spool?.lines ?? 0) > 0;
  }

  /**
   * Whether lines past the memory marks go to the spool now (rather than readers pausing):
   * publishing stalled (it has waited stallMs for an ack), or lines already wait there.
   */
  private get spilling(): boolean {
    if (!this.spooling) return false;
    const stallMs = this.options.stallMs ?? 0;
    if (this.behind || stallMs === 0) return true;
    return this.waitingSince !== undefined && Date.now() - this.waitingSince >= stallMs;
  }

  /** Once publishing has waited stallMs, readers paused at the memory marks go on into the spool. */
  private watchForStall(): void {
    const stallMs = this.options.stallMs ?? 0;
    clearTimeout(this.stallTimer);
    if (stallMs <= 0 || !this.spooling) return;
    const check = () => {
      if (this.waitingSince === undefined) return;
      // A timer may fire a little before the clock says stallMs went by.
      const left = this.waitingSince + stallMs - Date.now();
      if (left > 0) this.stallTimer = setTimeout(check, left);
      else this.releaseReaders();
    };
    this.stallTimer = setTimeout(check, stallMs);
  }

  /** The ack awaited came (or will not): publishing no longer waits. */
  private waited(): void {
    this.waitingSince = undefined;
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private memoryFull(): boolean {
    return this.memory.size >= this.options.highWaterLines || this.memory.bytes >= this.options.highWaterBytes;
  }

  private belowLowWater(buffer: { size: number; bytes: number }): boolean {
    return buffer.size < this.options.highWaterLines / 2 && buffer.bytes < this.options.highWaterBytes / 2;
  }

  private canResume(): boolean {
    if (this.spilling) return !this.spoolFull;
    return this.belowLowWater({
      size: this.memory.size + this.tail.size,
      bytes: this.memory.bytes + this.tail.bytes,
    });
  }

  /** Brings lines back from the spool, then from the tail, while memory is under half its marks. */
  private refill(): void {
    while (this.belowLowWater(this.memory)) {
      if (this.spool !== undefined && this.spool.lines > 0) {
        this.memory.push(this.spool.read());
        continue;
      }
      // The spool is empty, so it has all its room again.
      this.spoolFull = false;
      if (this.tail.size > 0) this.memory.push(this.tail.takeAll());
      return;
    }
  }

  private flushSoon(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flushTail();
    });
  }

  /** Writes the tail to the spool; when it cannot, the tail stays in memory and readers pause. */
  private flushTail(): void {
    if (this.tail.size === 0 || this.spool === undefined || !this.spooling || this.spoolFull) return;
    if (this.failure !== undefined) return;
    const lines = this.tail.takeAll();
    const written = this.spool.write(lines);
    if (written === 'written') return;
    this.tail.push(lines);
    if (written === 'full') this.spoolFull = true;
    else this.append(LogStream.SYSTEM, spoolFailedLine(this.spool.failure), LogLevel.WARN);
  }

  private releaseReaders(always = false): void {
    if (this.drainWaiters.length === 0 || (!always && !this.canResume())) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Waits for `notify` (new lines, full chunk, close) or `ms`. */
  private sleep(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.notify(), ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

export function spoolFailedLine(reason: string | undefined): string {
  return `the executor could not keep log lines on disk (${reason ?? 'unknown error'}): output is paused while the log lines wait to be published`;
}
