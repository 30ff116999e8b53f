import { settlesWithin, type Logger } from '@fluxi/common';
import { errorSummary } from './domain/error-summary.js';

/**
 * How long one part gets to close. Parts that talk to NATS (the run-event relay, the
 * schedule lease, the consumers) would otherwise wait out request timeouts one after the
 * other when NATS is gone, and the whole stop must stay within its bound.
 */
const CLOSE_EACH_MS = 3_000;

/** Things to close, in the reverse order they were opened; each is closed once, each within CLOSE_EACH_MS. */
export class Closers {
  private readonly closers: { what: string; close: () => Promise<unknown> }[] = [];

  constructor(private readonly logger: Logger) {}

  add(what: string, close: () => Promise<unknown>): void {
    this.closers.push({ what, close });
  }

  /** Closes everything; a failure, or a part still closing after its time, is logged and does not stop the others. */
  async closeAll(): Promise<void> {
    for (let closer = this.closers.pop(); closer !== undefined; closer = this.closers.pop()) {
      const closing = closer.close().then(
        () => undefined,
        (error: unknown) => this.logger.warn({ err: errorSummary(error), what: closer?.what }, 'close failed'),
      );
      if (!(await settlesWithin(closing, CLOSE_EACH_MS))) {
        this.logger.warn(
          { what: closer.what, waitedMs: CLOSE_EACH_MS },
          'still closing: left behind to keep the stop bounded',
        );
      }
    }
  }
}
