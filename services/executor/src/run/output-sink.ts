import type { Readable } from 'node:stream';
import { LogLevel, LogStream } from '@fluxi/contracts';
import { LineSplitter, MAX_LINE_BYTES } from '../domain/line-splitter.js';
import { detectLevel } from '../domain/log-level.js';
import type { OutputCapture } from '../domain/output-capture.js';
import type { SecretMasker } from '../domain/secret-masker.js';
import type { OutputSink } from '../drivers/driver.js';
import type { LogPump } from './log-pump.js';

/**
 * Turns a job's output streams into lines in the log pump, each with its detected
 * level (long lines split at `maxLineBytes`), pausing the streams while the pump is
 * full. Standard output's raw bytes also go to `stdoutCapture` (the job's context),
 * which keeps only up to its cap. With secrets in `masker`, each stream is masked as bytes
 * before it is cut into lines or captured (a secret split between chunks or at a line cut is
 * still masked), and so are system lines.
 */
export class PumpOutputSink implements OutputSink {
  private readonly flushes: Array<() => void> = [];

  constructor(
    private readonly pump: LogPump,
    private readonly stdoutCapture?: OutputCapture,
    private readonly maxLineBytes = MAX_LINE_BYTES,
    private readonly masker?: SecretMasker,
  ) {}

  attach(name: 'stdout' | 'stderr', readable: Readable): void {
    const stream = name === 'stdout' ? LogStream.STDOUT : LogStream.STDERR;
    const splitter = new LineSplitter(this.maxLineBytes);
    const append = (line: string) => this.pump.append(stream, line, detectLevel(line));
    const capture = name === 'stdout' ? this.stdoutCapture : undefined;
    // The secrets are resolved before a driver attaches its streams.
    const masking = this.masker?.active === true ? this.masker.stream() : undefined;
    let flushed = false;
    const flush = () => {
      if (flushed) return;
      flushed = true;
      const rest = masking?.end();
      if (rest !== undefined && rest.length > 0) {
        capture?.push(rest);
        for (const line of splitter.push(rest)) append(line);
      }
      for (const line of splitter.end()) append(line);
    };
    this.flushes.push(flush);
    readable.on('data', (raw: Buffer) => {
      const chunk = masking === undefined ? raw : masking.push(raw);
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
    this.pump.append(LogStream.SYSTEM, this.masker?.maskText(text) ?? text, level);
  }

  /** Flushes the partial last line of every stream (idempotent). */
  close(): void {
    for (const flush of this.flushes) flush();
  }
}
