import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import { Streams } from '@fluxi/contracts';
import { startNatsServer, startTcpProxy, waitFor, type ServerProcess, type TcpProxy } from '@fluxi/testkit';
import { connectNats, followStream, type Nats } from '../src/index.js';

const STREAM = Streams.control.name;
const SUBJECT = Streams.control.subjects[0];

let server: ServerProcess;
let proxy: TcpProxy;
let publisher: Nats;

beforeAll(async () => {
  server = await startNatsServer();
  proxy = await startTcpProxy({ port: server.port });
  publisher = await connectNats(server.url, 'follow-test-publisher', silentLogger());
});

afterAll(async () => {
  await publisher?.close();
  await proxy?.close();
  await server?.stop();
});

const publish = (text: string) => publisher.js.publish(SUBJECT, new TextEncoder().encode(text));

describe('followStream', () => {
  it('reads what is published after it starts, once each and in order, across disconnections', async () => {
    await publish('before');
    const reader = await connectNats(proxy.url('nats'), 'follow-test-reader', silentLogger());
    const seen: string[] = [];
    const follower = await followStream(reader, STREAM, (m) => seen.push(m.string()), silentLogger());
    try {
      const expected: string[] = [];
      for (let round = 0; round < 4; round++) {
        // One just before the cut (it may be lost in flight), some while cut off.
        expected.push(`r${round}-a`, `r${round}-b`, `r${round}-c`);
        await publish(`r${round}-a`);
        proxy.cut();
        await publish(`r${round}-b`);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await publish(`r${round}-c`);
        proxy.restore();
        await waitFor(() => seen.length >= expected.length, { what: `the messages of round ${round}` });
      }
      await publish('last');
      expected.push('last');
      await waitFor(() => seen.includes('last'), { what: 'the last message' });
      expect(seen).toEqual(expected);
    } finally {
      await follower.stop();
      await reader.close();
    }
  });
});
