import { createRequire } from 'node:module';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Logger } from '@fluxi/common';

/**
 * glibc's malloc keeps the pages of freed memory inside its heaps when live allocations sit
 * above them: V8's compiler zones (32 KiB segments, on the main thread and its compiler
 * threads) and Node's buffers leave most of their pages behind this way. Right after start a
 * launcher held ~70 MB of such pages, the executor process ~10 MB (bench/README.md, issue 14).
 * Only malloc_trim(3) gives them back; Node has no call for it, so it is called through koffi
 * (an FFI library whose binaries are inside its npm package).
 *
 * The trim runs on libuv's thread pool (it takes each heap's lock in turn, 1–15 ms), and only
 * once the event loop was quiet for a whole check and the process grew since the last trim:
 * a busy process reuses its free pages anyway.
 */

/** Event loop utilisation under which a check counts as quiet. */
const QUIET_BELOW = 0.1;
/** Growth of resident memory since the last trim worth another one. */
const GROWTH_BYTES = 8 * 1024 * 1024;

export interface TrimState {
  /** Resident bytes right after the last trim; undefined before the first one. */
  rssAfterTrim: number | undefined;
}

/** Whether to trim now: the loop was quiet during the last check, and the process grew since the last trim. */
export function shouldTrim(state: TrimState, utilization: number, rss: number): boolean {
  if (utilization >= QUIET_BELOW) return false;
  return state.rssAfterTrim === undefined || rss - state.rssAfterTrim >= GROWTH_BYTES;
}

/** malloc_trim(0) on the thread pool: resolves with whether memory was released. */
export type AsyncTrim = () => Promise<boolean>;

interface KoffiFunction {
  async(pad: number, callback: (error: unknown, released: number) => void): void;
}
interface Koffi {
  load(path: string): { func(signature: string): KoffiFunction };
}

/**
 * glibc's malloc_trim, or undefined where it cannot be called (not Linux, musl, koffi's
 * binary missing for this platform), with the reason.
 */
export function loadMallocTrim(library = 'libc.so.6'): AsyncTrim | { unavailable: string } {
  if (process.platform !== 'linux') return { unavailable: `not on ${process.platform}` };
  let trim: KoffiFunction;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as Koffi;
    trim = koffi.load(library).func('int malloc_trim(size_t pad)');
  } catch (error) {
    return { unavailable: `${library}: ${error instanceof Error ? error.message : String(error)}` };
  }
  return () =>
    new Promise((resolve, reject) =>
      trim.async(0, (error, released) => (error ? reject(error as Error) : resolve(released === 1))),
    );
}

/**
 * Checks every `checkMs` whether the process was quiet and grew, and trims then. Returns the
 * stop. `checkMs` 0: never.
 */
export function startMallocTrim(checkMs: number, logger: Logger): () => void {
  if (checkMs <= 0) return () => undefined;
  const trim = loadMallocTrim();
  if (typeof trim !== 'function') {
    logger.debug({ reason: trim.unavailable }, 'freed malloc memory is not given back to the system');
    return () => undefined;
  }
  const state: TrimState = { rssAfterTrim: undefined };
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  let trimming = false;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    const rss = process.memoryUsage.rss();
    if (trimming || !shouldTrim(state, utilization, rss)) return;
    trimming = true;
    trim().then(
      () => {
        trimming = false;
        state.rssAfterTrim = process.memoryUsage.rss();
        logger.debug({ beforeMb: mb(rss), afterMb: mb(state.rssAfterTrim) }, 'gave freed malloc memory back');
      },
      (error: unknown) => {
        // Not retried: whatever failed once fails again.
        clearInterval(timer);
        logger.warn({ err: error }, 'malloc_trim failed; freed malloc memory is no longer given back');
      },
    );
  }, checkMs);
  timer.unref();
  return () => clearInterval(timer);
}

const mb = (bytes: number): number => Math.round(bytes / 1048576);
