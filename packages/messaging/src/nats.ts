import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { Streams } from '@fluxi/contracts';
import { readFileSync } from 'node:fs';
import { settlesWithin, type Logger, type NatsSettings } from '@fluxi/common';
import { natsConnectionOptions } from './nats-options.js';

/** How long closing waits for in-flight messages to be flushed before it just closes. */
const CLOSE_GRACE_MS = 2000;

export interface Nats {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  close(): Promise<void>;
}

/**
 * Connects to NATS, reconnecting for ever, and makes sure Fluxi's streams exist. `settings`: the
 * `nats` configuration's TLS files and credentials (for an external server).
 */
export async function connectNats(
  url: string,
  name: string,
  logger: Logger,
  settings: Omit<NatsSettings, 'url'> = {},
): Promise<Nats> {
  const credentials = settings.credentialsFile === undefined ? undefined : readCredentials(settings.credentialsFile);
  const options = natsConnectionOptions(url, settings, credentials);
  const nc = await connect({
    ...options,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    // nats.js otherwise makes an Error (a stack trace) up front for every request, JetStream
    // publish and ack, in case it fails: 1.7 % of the launcher's CPU in bench:dispatch. Failed
    // requests still say what failed; their stack then starts in nats.js, not at the caller.
    noAsyncTraces: true,
  }).catch((error: unknown) => {
    // The servers without the credentials a URL may hold.
    const where = [options.servers ?? []].flat().join(', ');
    throw new Error(`cannot connect to NATS at ${where}: ${(error as Error).message}`, { cause: error });
  });
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
    // Draining needs the server: with NATS away it would wait for ever, so it is bounded.
    close: async () => {
      if (nc.isClosed()) return;
      const drained = nc.drain().then(
        () => true,
        () => false,
      );
      const inTime = await settlesWithin(drained, CLOSE_GRACE_MS);
      if ((!inTime || !(await drained)) && !nc.isClosed()) await nc.close();
    },
  };
}

function readCredentials(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`nats.credentialsFile ${path} cannot be read: ${(error as Error).message}`);
  }
}

/**
 * Creates Fluxi's JetStream streams (file storage, 2-minute duplicate window) when missing,
 * and adds to an existing one the subjects it lacks, and its byte limit when it has none.
 */
export async function ensureStreams(jsm: JetStreamManager): Promise<void> {
  for (const stream of Object.values(Streams)) {
    const limits: { name: string; maxAgeMs?: number; maxBytes?: number } = stream;
    const config = {
      name: stream.name,
      subjects: [...stream.subjects],
      storage: StorageType.File,
      duplicate_window: nanos(120_000),
      ...(limits.maxAgeMs === undefined ? {} : { max_age: nanos(limits.maxAgeMs) }),
      // Full: a publish is refused (the publisher waits, see isStreamFull), nothing stored is dropped.
      ...(limits.maxBytes === undefined ? {} : { max_bytes: limits.maxBytes, discard: DiscardPolicy.New }),
    };
    const existing = await jsm.streams.info(stream.name).catch(() => undefined);
    if (existing !== undefined) {
      // A stream made by an older version lacks the subjects added since (fluxi.executor.command).
      const subjects = existing.config.subjects ?? [];
      const missing = config.subjects.filter((subject) => !subjects.includes(subject));
      if (missing.length > 0) await jsm.streams.update(stream.name, { subjects: [...subjects, ...missing] });
      // A stream made before it had a limit gets one; an operator's own limit stays, but never
      // with discard old (it would drop what is not stored yet).
      if (limits.maxBytes !== undefined) {
        const unlimited = (existing.config.max_bytes ?? -1) < 0;
        if (unlimited || existing.config.discard !== DiscardPolicy.New) {
          await jsm.streams.update(stream.name, {
            ...(unlimited ? { max_bytes: limits.maxBytes } : {}),
            discard: DiscardPolicy.New,
          });
        }
      }
      continue;
    }
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

/** JetStream's error code for a publish to a stream at its byte limit with discard new. */
const STREAM_FULL = 10077;

/** Whether a publish was refused because the stream is at its byte limit (room comes as it is read). */
export function isStreamFull(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === STREAM_FULL;
}
