import { DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { Logger } from '@fluxi/common';
import type { Nats } from './nats.js';

export interface StreamFollower {
  stop(): Promise<void>;
}

const RETRY_MS = 1_000;
/**
 * How long the server keeps a consumer nobody reads (its reader's process gone without
 * stopping it); a reader that stops deletes its consumer at once. The client library's
 * default, 5 minutes, left every follow's consumers behind for that long, each one
 * matched against every message the stream stores meanwhile.
 */
const INACTIVE_MS = 30_000;

/** What part of a stream to follow. */
export interface FollowOptions {
  /** Only messages on this subject (wildcards allowed). */
  filterSubject?: string;
  /**
   * Where to begin: after the stream's last message when following starts (default);
   * at a stream sequence; or at the first message stored at or after a time.
   */
  from?: { seq: number } | { time: Date };
}

/**
 * Reads, once each and in order, every message a stream stores from now on: a broadcast
 * that survives short disconnections. It uses an ordered consumer (no acks, nothing kept
 * on the server) and, after each reconnection, replaces it with a new one that starts
 * after the last message handled. An ordered consumer alone only notices a message lost
 * in flight when a later one arrives; restarting from the last sequence seen reads it again.
 */
export async function followStream(
  nats: Nats,
  stream: string,
  handle: (message: JsMsg) => void,
  logger: Logger,
  options: FollowOptions = {},
): Promise<StreamFollower> {
  const { from, filterSubject } = options;
  /** The last stream sequence handled (or skipped as before the start). */
  let lastSeq = from === undefined ? (await nats.jsm.streams.info(stream)).state.last_seq : 0;
  let startTime = from !== undefined && 'time' in from ? from.time : undefined;
  if (from !== undefined && 'seq' in from) lastSeq = Math.max(0, from.seq - 1);
  let current: ConsumerMessages | undefined;
  /** Deletes the server's consumer of `current`. */
  let deleteCurrent: (() => Promise<unknown>) | undefined;
  let stopped = false;
  /** Stops reading; the consumer's deletion is not waited for (bounded stops while NATS is away). */
  const release = async (): Promise<void> => {
    await current?.close().catch(() => undefined);
    void deleteCurrent?.().catch(() => undefined);
    current = undefined;
    deleteCurrent = undefined;
  };

  const open = async (): Promise<void> => {
    // By time until the first message is handled, by sequence after that (reconnections).
    const start =
      startTime !== undefined && lastSeq === 0
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: startTime.toISOString() }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: lastSeq + 1 };
    const consumer = await nats.js.consumers.get(stream, {
      ...start,
      // A string, not an array: one subject works on nats-server 2.9 too (several need 2.10).
      ...(filterSubject === undefined ? {} : { filter_subjects: filterSubject }),
      inactive_threshold: INACTIVE_MS,
    });
    const messages = await consumer.consume();
    current = messages;
    deleteCurrent = () => consumer.delete();
    // stop() ran while this consumer was being made: it must not start reading.
    if (stopped) {
      await release();
      return;
    }
    void (async () => {
      for await (const message of messages) {
        // A message the previous consumer handed over already.
        if (message.seq <= lastSeq) continue;
        lastSeq = message.seq;
        startTime = undefined;
        try {
          handle(message);
        } catch (error) {
          logger.error({ err: error, stream, seq: message.seq }, 'stream message handler failed');
        }
      }
    })().catch((error: unknown) => logger.warn({ err: error, stream }, 'stream reader ended'));
  };

  const reopen = async (): Promise<void> => {
    await release();
    while (!stopped) {
      try {
        await open();
        return;
      } catch (error) {
        logger.warn({ err: error, stream }, `could not resume reading the stream; retrying in ${RETRY_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  };

  await open();
  void (async () => {
    for await (const status of nats.nc.status()) {
      if (stopped) break;
      if (status.type === 'reconnect') await reopen();
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await release();
    },
  };
}
