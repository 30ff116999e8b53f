import type { LogStream } from '@fluxi/contracts';
import { LogBuffer, type BufferedLine } from '../domain/log-buffer.js';

export interface LogPumpOptions {
  /** Most lines in one chunk. */
  maxLines: number;
  /** Most text bytes in one chunk (past its first line). */
  maxBytes: number;
  /** How long the first waiting line may wait for more before its chunk goes. */
  lingerMs: number;
  /** Above these the output is paused until the pump has caught up (back-pressure). */
  highWaterLines: number;
  highWaterBytes: number;
}

export const DEFAULT_PUMP_OPTIONS: LogPumpOptions = {
  maxLines: 200,
  maxBytes: 256 * 1024,
  lingerMs: 50,
  highWaterLines: 5000,
  highWaterBytes: 8 * 1024 * 1024,
};

/** Publishes one chunk; resolves once it is acknowledged, rejects only when giving up. */
export type ChunkSender = (lines: BufferedLine[]) => Promise<void>;

/**
 * Numbers the lines of one attempt and publishes them in chunks, one chunk at a
 * time, each awaited: chunks leave in seq order, and when publishing is slow the
 * buffer fills and `saturated` tells readers to pause. Nothing is sent before
 * `gate` resolves (the `started` event is acknowledged).
 */
export class LogPump {
  private readonly buffer = new LogBuffer();
  private closed = false;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private drainWaiters: Array<() => void> = [];
  private readonly loop: Promise<void>;

  constructor(
    private readonly send: ChunkSender,
    gate: Promise<void>,
    private readonly options: LogPumpOptions = DEFAULT_PUMP_OPTIONS,
  ) {
    this.loop = this.run(gate);
  }

  append(stream: LogStream, text: string): void {
    if (this.failure !== undefined) return;
    this.buffer.append(stream, text, BigInt(Date.now()));
    if (this.buffer.size === 1 || this.buffer.size >= this.options.maxLines) this.notify();
  }

  /** True when readers should pause until `onDrain`. */
  get saturated(): boolean {
    return this.buffer.size >= this.options.highWaterLines || this.buffer.bytes >= this.options.highWaterBytes;
  }

  /** Calls `listener` once the buffer is back under half its high-water marks. */
  onDrain(listener: () => void): void {
    if (this.belowLowWater()) listener();
    else this.drainWaiters.push(listener);
  }

  /** Sends what is left and resolves with the last seq; rejects when publishing gave up. */
  async finish(): Promise<bigint> {
    this.closed = true;
    this.notify();
    await this.loop;
    if (this.failure !== undefined) throw this.failure;
    return this.buffer.lastSeq;
  }

  private async run(gate: Promise<void>): Promise<void> {
    try {
      await gate;
      for (;;) {
        if (this.buffer.size === 0) {
          this.releaseReaders();
          if (this.closed) return;
          await this.sleep();
          continue;
        }
        if (!this.closed && this.buffer.size < this.options.maxLines) {
          const age = Date.now() - Number(this.buffer.oldestTsMs ?? 0n);
          if (age < this.options.lingerMs) await this.sleep(this.options.lingerMs - age);
        }
        const lines = this.buffer.take(this.options.maxLines, this.options.maxBytes);
        this.releaseReaders();
        await this.send(lines);
      }
    } catch (error) {
      this.failure = error;
      this.releaseReaders(true);
    }
  }

  private belowLowWater(): boolean {
    return this.buffer.size < this.options.highWaterLines / 2 && this.buffer.bytes < this.options.highWaterBytes / 2;
  }

  private releaseReaders(always = false): void {
    if (this.drainWaiters.length === 0 || (!always && !this.belowLowWater())) return;
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
