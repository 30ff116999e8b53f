import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import { Streams, Subjects } from '@fluxi/contracts';
import { connectNats, type Nats } from '@fluxi/messaging';
import { startNatsServer, waitFor } from '@fluxi/testkit';
import { StoredChunkRemoval } from '../src/transport/stored-chunks.js';

let natsServer: Awaited<ReturnType<typeof startNatsServer>>;
let nats: Nats;

beforeAll(async () => {
  natsServer = await startNatsServer();
  nats = await connectNats(natsServer.url, 'stored-chunks-test', silentLogger());
});

afterAll(async () => {
  await nats?.close();
  await natsServer?.stop();
});

const held = async (seq: number): Promise<boolean> =>
  (await nats.jsm.streams.getMessage(Streams.logs.name, { seq }).catch(() => null)) !== null;

it('leaves each stored chunk on the stream for delayMs after it was stored, not after the first of a batch', async () => {
  const publish = async (text: string) =>
    (await nats.js.publish(Subjects.logChunk('PR1', 'JR1'), new TextEncoder().encode(text))).seq;
  const first = await publish('a');
  const second = await publish('b');
  const removal = new StoredChunkRemoval(nats, { stream: Streams.logs.name, delayMs: 1000, logger: silentLogger() });
  try {
    removal.stored([first]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    removal.stored([second]);
    // The first goes once its second is up; the second, stored half a second later, is not due yet.
    await waitFor(async () => !(await held(first)), { intervalMs: 20, what: 'the first chunk removed' });
    expect(await held(second)).toBe(true);
    await waitFor(async () => !(await held(second)), { intervalMs: 20, what: 'the second chunk removed' });
  } finally {
    await removal.stop();
  }
});
