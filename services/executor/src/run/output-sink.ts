import type { Readable } from 'node:stream';
import { LogStream } from '@fluxi/contracts';
import { LineSplitter } from '../domain/line-splitter.js';
import type { OutputCapture } from '../domain/output-capture.js';
import type { OutputSink } from '../drivers/driver.js';
import type { LogPump } from './log-pump.js';

/**
 * Turns a job's output streams into numbered lines in the log pump, pausing them
 * while it is full. Standard output's raw bytes also go to `stdoutCapture` (the
 * job's context), which keeps only up to its cap.
 */
export class PumpOutputSink implements OutputSink {
  private readonly flushes: Array<() => void> = [];

  constructor(
    private readonly pump: LogPump,
    private readonly stdoutCapture?: OutputCapture,
  ) {}

  attach(name: 'stdout' | 'stderr', readable: Readable): void {
    const stream = name === 'stdout' ? LogStream.STDOUT : LogStream.STDERR;
    const splitter = new LineSplitter();
    const capture = name === 'stdout' ? this.stdoutCapture : undefined;
    let flushed = false;
    const flush = () => {
      if (flushed) return;
      flushed = true;
      for (const line of splitter.end()) this.pump.append(stream, line);
    };
    this.flushes.push(flush);
    readable.on('data', (chunk: Buffer) => {
      capture?.push(chunk);
      for (const line of splitter.push(chunk)) this.pump.append(stream, line);
      if (this.pump.saturated && !readable.isPaused()) {
        readable.pause();
        this.pump.onDrain(() => readable.resume());
      }
    });
    readable.once('end', flush);
    readable.once('close', flush);
    readable.on('error', (error) => this.system(`error reading ${name}: ${error.message}`));
  }

  system(text: string): void {
    this.pump.append(LogStream.SYSTEM, text);
  }

  /** Flushes the partial last line of every stream (idempotent). */
  close(): void {
    for (const flush of this.flushes) flush();
  }
}
