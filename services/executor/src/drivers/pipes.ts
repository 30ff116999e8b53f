import type { Readable } from 'node:stream';

/**
 * Waits for `closed` (every output pipe closed) for at most `capMs`. The cap does
 * not run out while a pipe is paused by back-pressure (its data is still to be
 * read), only while the pipes are read freely. Resolves true when closed.
 */
export function waitClosed(closed: Promise<void>, pipes: Readable[], capMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (value: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(value);
    };
    const arm = () => {
      timer = setTimeout(() => {
        if (pipes.some((pipe) => !pipe.destroyed && pipe.isPaused())) arm();
        else finish(false);
      }, capMs);
    };
    void closed.then(() => finish(true));
    arm();
  });
}
