import type { Readable } from 'node:stream';
import { LogLevel, LogStream } from '@fluxi/contracts';
import { LineSplitter, MAX_LINE_BYTES } from '../domain/line-splitter.js';
import { detectLevel } from '../domain/log-level.js';
import type { OutputCapture } from '../domain/output-capture.js';
import type { OutputSink } from '../drivers/driver.js';
import type { LogPump } from './log-pump.js';

/**
 * Turns a job's output streams into lines in the log pump, each with its detected
 * level (long lines split at `maxLineBytes`), pausing the streams while the pump is
 * full. Standard output's raw bytes also go to `stdoutCapture` (the job's context),
 * which keeps only up to its cap.
 */
export class PumpOutputSink implements OutputSink {
  private readonly flushes: Array<() => void> = [];

  constructor(
    private readonly pump: LogPump,
    private readonly stdoutCapture?: OutputCapture,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  attach(name: 'stdout' | 'stderr', readable: Readable): void {
    const stream = name === 'stdout' ? LogStream.STDOUT : LogStream.STDERR;
    const splitter = new LineSplitter(this.maxLineBytes);
    const append = (line: string) => this.pump.append(stream, line, detectLevel(line));
    const capture = name === 'stdout' ? this.stdoutCapture : undefined;
    let flushed = false;
    const flush = () => {
      if (flushed) return;
      flushed = true;
      for (const line of splitter.end()) append(line);
    };
    this.flushes.push(flush);
    readable.on('data', (chunk: Buffer) => {
      capture?.push(chunk);
      for (const line of splitter.push(chunk)) append(line);
      if (this.pump.saturated && !readable.isPaused()) {
        readable.pause();
        this.pump.onDrain(() => readable.resume());
      }
    });
    readable.once('end', flush);
    readable.once('close', flush);
    readable.on('error', (error) => this.system(`error reading ${name}: ${error.message}`, LogLevel.ERROR));
  }

  /** A line Fluxi writes: its level is the writer's (INFO unless said), never detected. */
  system(text: string, level: LogLevel = LogLevel.INFO): void {
    this.pump.append(LogStream.SYSTEM, text, level);
  }

  /** Flushes the partial last line of every stream (idempotent). */
  close(): void {
    for (const flush of this.flushes) flush();
  }
}
