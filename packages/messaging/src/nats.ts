import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  jetstream,
  jetstreamManager,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { Streams } from '@fluxi/contracts';
import type { Logger } from '@fluxi/common';

export interface Nats {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  close(): Promise<void>;
}

/** Connects to NATS, reconnecting for ever, and makes sure Fluxi's streams exist. */
export async function connectNats(url: string, name: string, logger: Logger): Promise<Nats> {
  const nc = await connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect')
        logger.warn({ nats: status.type }, 'nats connection state');
    }
  })();
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm);
  return {
    nc,
    js: jetstream(nc),
    jsm,
    close: async () => {
      if (!nc.isClosed()) await nc.drain();
    },
  };
}

/** Creates Fluxi's JetStream streams (file storage, 2-minute duplicate window) when missing. */
export async function ensureStreams(jsm: JetStreamManager): Promise<void> {
  for (const stream of Object.values(Streams)) {
    const config = {
      name: stream.name,
      subjects: [...stream.subjects],
      storage: StorageType.File,
      duplicate_window: nanos(120_000),
      ...('maxAgeMs' in stream ? { max_age: nanos(stream.maxAgeMs) } : {}),
    };
    try {
      await jsm.streams.info(stream.name);
    } catch {
      try {
        await jsm.streams.add(config);
      } catch (error) {
        // Another service created it meanwhile.
        await jsm.streams.info(stream.name).catch(() => {
          throw error;
        });
      }
    }
  }
}
