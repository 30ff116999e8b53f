import { DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { Logger } from '@fluxi/common';
import type { Nats } from './nats.js';

export interface StreamFollower {
  stop(): Promise<void>;
}

const RETRY_MS = 1_000;

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
): Promise<StreamFollower> {
  const { state } = await nats.jsm.streams.info(stream);
  let lastSeq = state.last_seq;
  let current: ConsumerMessages | undefined;
  let stopped = false;

  const open = async (): Promise<void> => {
    const consumer = await nats.js.consumers.get(stream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: lastSeq + 1,
    });
    const messages = await consumer.consume();
    // stop() ran while this consumer was being made: it must not start reading.
    if (stopped) {
      await messages.close().catch(() => undefined);
      return;
    }
    current = messages;
    void (async () => {
      for await (const message of messages) {
        // A message the previous consumer handed over already.
        if (message.seq <= lastSeq) continue;
        lastSeq = message.seq;
        try {
          handle(message);
        } catch (error) {
          logger.error({ err: error, stream, seq: message.seq }, 'stream message handler failed');
        }
      }
    })().catch((error: unknown) => logger.warn({ err: error, stream }, 'stream reader ended'));
  };

  const reopen = async (): Promise<void> => {
    await current?.close().catch(() => undefined);
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
      await current?.close().catch(() => undefined);
    },
  };
}
