import type { Logger } from '@fluxi/common';
import { errorSummary } from '../../domain/error-summary.js';
import type { ScheduleBook } from '../../domain/schedule-book.js';
import type { ScheduleFireSystem } from './schedules.js';

/** The clock of the loop (a test gives its own). */
export interface LoopClock {
  now(): number;
  /** Calls `fn` after `ms`; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

export const realClock: LoopClock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

export interface ScheduleLoop {
  /** Runs a pass as soon as possible (a definition changed, the lease was taken). */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Runs fire passes while this replica leads: one at each earliest next planned time of the book,
 * and at least every `intervalMs` (a definition learned, a queued fire whose previous run ended).
 * Never two passes at once; a failed pass is logged and the next one tries again.
 */
export function startScheduleLoop(
  system: Pick<ScheduleFireSystem, 'pass'>,
  book: Pick<ScheduleBook, 'earliest'>,
  isLeader: () => boolean,
  options: { intervalMs: number; logger: Logger; clock?: LoopClock },
): ScheduleLoop {
  const clock = options.clock ?? realClock;
  let stopped = false;
  let running: Promise<void> | undefined;
  let cancel: (() => void) | undefined;
  let again = false;

  const schedule = (): void => {
    cancel?.();
    if (stopped) return;
    const now = clock.now();
    const earliest = isLeader() ? (book.earliest()?.getTime() ?? Infinity) : Infinity;
    const delay = Math.max(0, Math.min(earliest - now, options.intervalMs));
    cancel = clock.after(delay, run);
  };
  const run = (): void => {
    if (running !== undefined) {
      again = true;
      return;
    }
    running = (isLeader() ? system.pass().then(() => undefined) : Promise.resolve())
      .catch((error: unknown) => options.logger.error({ err: errorSummary(error) }, 'schedule pass failed'))
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          run();
        } else schedule();
      });
  };
  schedule();
  return {
    wake() {
      if (!stopped) run();
    },
    async stop() {
      stopped = true;
      cancel?.();
      await running;
    },
  };
}
