import { FixedBuffer, Repeater } from '@repeaterjs/repeater';
import { FluxiError } from '@fluxi/common';
import { LogFollow } from './log-follow-state.js';
import { startedNow } from './started-now.js';
import type { LogFollowEvent, LogFollowOptions, LogFollowRequest, LogSources, Stop } from './live-types.js';

export type { LogFollowOptions, LogFollowRequest } from './live-types.js';

const DEFAULTS: Required<LogFollowOptions> = {
  pageSize: 5000,
  bufferSize: 20_000,
  gapWaitMs: 5_000,
  endWaitMs: 15_000,
  storeWaitMs: 200,
};

/**
 * Follows one job run's log: the lines stored so far (from `fromSeq`), then the live
 * ones, in seq order, once each, across its retries, and last the job run's end. One
 * algorithm for the GraphQL subscription and SSE:
 *
 * 1. read the live stream (JetStream) from its start: it holds only what the store does not
 *    have yet (and a little more). Until its reader delivers, the job run's first chunk on
 *    the stream (one request) and the lines seen published (a plain subscription) go out
 *    when they are next: a job's first line does not wait for the reader to be made on the
 *    server. The store (the logs service: ClickHouse) is read after `fromSeq - 1`, page by
 *    page, only when the stream may not hold those lines (its first chunk of the job run
 *    starts later, or none comes within `storeWaitMs`); what one source sent already the
 *    others' copies drop;
 * 2. a line that comes early (lines missing before it: the store lags, or the stream no
 *    longer holds them) waits while the missing ones are read from the store; if the
 *    store does not have them within `gapWaitMs`, the live stream is read again from its
 *    start; lines still missing then end the follow with an error rather than a silent gap;
 * 3. once the scheduler decided the job run's final status, the follow ends after the
 *    last attempt's lines up to the last seq its executor reported.
 */
export function followJobRunLogs(
  sources: LogSources,
  request: LogFollowRequest,
  options: LogFollowOptions = {},
): AsyncIterableIterator<LogFollowEvent> {
  const settings = { ...DEFAULTS, ...options };
  const events = new Repeater<LogFollowEvent>(async (push, stop) => {
    const follow = new LogFollow(sources, request, settings, (event) => {
      try {
        push(event).catch(() => undefined);
      } catch {
        // Past the buffer: memory stays bounded, the client is told where to resume.
        const from = event.kind === 'line' ? ` from seq ${event.line.seq} of attempt ${event.line.attempt}` : '';
        throw new FluxiError('UNAVAILABLE', `the client reads slower than the job prints: follow again${from}`);
      }
    });
    const stops: Stop[] = [];
    try {
      await follow.start(stops);
    } catch (error) {
      stop(error);
    }
    const ended = follow.ended.then(
      () => stop(),
      (error: unknown) => stop(error),
    );
    await Promise.race([stop, ended]);
    follow.close();
    await Promise.all(stops.map((halt) => halt().catch(() => undefined)));
  }, new FixedBuffer(settings.bufferSize));
  return startedNow(events);
}
