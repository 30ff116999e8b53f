import type { Logger } from '@fluxi/common';
import { errorSummary } from './domain/error-summary.js';

/** Things to close, in the reverse order they were opened; each is closed once. */
export class Closers {
  private readonly closers: { what: string; close: () => Promise<unknown> }[] = [];

  constructor(private readonly logger: Logger) {}

  add(what: string, close: () => Promise<unknown>): void {
    this.closers.push({ what, close });
  }

  /** Closes everything; a failure is logged and does not stop the others. */
  async closeAll(): Promise<void> {
    for (let closer = this.closers.pop(); closer !== undefined; closer = this.closers.pop()) {
      try {
        await closer.close();
      } catch (error) {
        this.logger.warn({ err: errorSummary(error), what: closer.what }, 'close failed');
      }
    }
  }
}
