import { closeSync, ftruncateSync, mkdirSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BufferedLine } from '../domain/log-buffer.js';
import { RecordDecoder, encodeRecords } from '../domain/spool-record.js';

/** How much of the file one read brings back into memory. */
const READ_BLOCK_BYTES = 256 * 1024;

/** What became of lines given to `write`. */
export type SpoolWrite = 'written' | 'full' | 'failed';

/** Where the spool file of an attempt lives (only while it is open: see LogSpool). */
export function spoolPath(dataDir: string, jobRunId: string, attempt: number): string {
  return join(resolve(dataDir), 'log-spool', `${jobRunId}.${attempt}.spool`);
}

/**
 * A first-in first-out file of log lines for one attempt: the lines its pump
 * cannot keep in memory while NATS is slow or away. The file is created on the
 * first write and unlinked at once (it lives as long as its descriptor), so an
 * executor that dies leaves nothing behind, and it is truncated each time every
 * line has been read back, so `maxBytes` bounds what it holds between two
 * catch-ups. Calls are synchronous: each moves at most one batch (≤ 256 KiB),
 * and keeping them in line keeps the lines in order.
 */
export class LogSpool {
  private fd: number | undefined;
  private writeOffset = 0;
  private readOffset = 0;
  private unread = 0;
  private decoder = new RecordDecoder();
  private closed = false;
  /** Why the spool stopped taking lines (an error code, no path), once it has. */
  failure: string | undefined;

  constructor(
    private readonly path: string,
    readonly maxBytes: number,
  ) {}

  /** Bytes in the file since it was last emptied. */
  get bytes(): number {
    return this.writeOffset;
  }

  /** Lines written and not read back yet. */
  get lines(): number {
    return this.unread;
  }

  /** Whether it may still take lines (it has not failed nor been closed). */
  get usable(): boolean {
    return this.failure === undefined && !this.closed && this.maxBytes > 0;
  }

  /** Appends lines; 'full' or 'failed' leaves them with the caller. */
  write(lines: readonly BufferedLine[]): SpoolWrite {
    if (!this.usable) return 'failed';
    const data = encodeRecords(lines);
    if (this.writeOffset + data.length > this.maxBytes) return 'full';
    try {
      const fd = this.open();
      let done = 0;
      while (done < data.length) done += writeSync(fd, data, done, data.length - done, this.writeOffset + done);
    } catch (error) {
      // What a partial write left past writeOffset is never read.
      this.failure = (error as NodeJS.ErrnoException).code ?? 'write error';
      return 'failed';
    }
    this.writeOffset += data.length;
    this.unread += lines.length;
    return 'written';
  }

  /** The next lines in the file, oldest first (a block of them); none when all were read. */
  read(): BufferedLine[] {
    if (this.unread === 0 || this.fd === undefined) return [];
    const length = Math.min(READ_BLOCK_BYTES, this.writeOffset - this.readOffset);
    if (length === 0)
      throw new Error(`the log spool file holds fewer lines than were written (${this.unread} missing)`);
    const block = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, block, got, length - got, this.readOffset + got);
      if (n === 0) throw new Error('the log spool file ended before its last line');
      got += n;
    }
    this.readOffset += length;
    const lines = this.decoder.push(block);
    this.unread -= lines.length;
    if (this.unread === 0) this.empty();
    return lines;
  }

  /** Closes the file, which the system then removes (idempotent). */
  close(): void {
    this.closed = true;
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    mkdirSync(dirname(this.path), { recursive: true });
    const fd = openSync(this.path, 'w+', 0o600);
    this.fd = fd;
    unlinkSync(this.path);
    return fd;
  }

  private empty(): void {
    this.writeOffset = 0;
    this.readOffset = 0;
    this.decoder = new RecordDecoder();
    try {
      if (this.fd !== undefined) ftruncateSync(this.fd, 0);
    } catch (error) {
      // Every line was read: nothing is lost, the spool just takes no more.
      this.failure = (error as NodeJS.ErrnoException).code ?? 'truncate error';
    }
  }
}
