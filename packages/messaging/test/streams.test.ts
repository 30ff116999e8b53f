import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Streams } from '@fluxi/contracts';
import { startNatsServer, type ServerProcess } from '@fluxi/testkit';
import { ensureStreams } from '../src/index.js';

let server: ServerProcess;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

describe('ensureStreams', () => {
  it('bounds the log stream: a new one, and one made before the limit; an operator’s own limit stays, with discard new', async () => {
    // As an older version made it: no limit.
    await jsm.streams.add({ name: Streams.logs.name, subjects: [...Streams.logs.subjects] });
    await ensureStreams(jsm);
    expect((await jsm.streams.info(Streams.logs.name)).config).toMatchObject({
      max_bytes: Streams.logs.maxBytes,
      discard: 'new',
    });
    // An operator's limit, even set with discard old: kept, with discard new (old would drop lines).
    await jsm.streams.update(Streams.logs.name, { max_bytes: 1024 * 1024, discard: DiscardPolicy.Old });
    await ensureStreams(jsm);
    expect((await jsm.streams.info(Streams.logs.name)).config).toMatchObject({
      max_bytes: 1024 * 1024,
      discard: 'new',
    });
    // The other streams are made without a byte limit.
    expect((await jsm.streams.info(Streams.events.name)).config.max_bytes).toBe(-1);
  });
});
