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

  it('reads one subject only, from a stream sequence or from a time, and across a disconnection', async () => {
    const other = Streams.control.subjects[1];
    const info = await publisher.jsm.streams.info(STREAM);
    const firstSeq = info.state.last_seq + 1;
    await publish('s1');
    await publisher.js.publish(other, new TextEncoder().encode('elsewhere'));
    await publish('s2');
    const reader = await connectNats(proxy.url('nats'), 'follow-test-filtered', silentLogger());
    const bySeq: string[] = [];
    const byTime: string[] = [];
    const fromSeq = await followStream(reader, STREAM, (m) => bySeq.push(m.string()), silentLogger(), {
      filterSubject: SUBJECT,
      from: { seq: firstSeq + 1 },
    });
    const fromTime = await followStream(reader, STREAM, (m) => byTime.push(m.string()), silentLogger(), {
      filterSubject: SUBJECT,
      from: { time: new Date(Date.now() - 60_000) },
    });
    try {
      proxy.cut();
      await publish('s3');
      proxy.restore();
      await waitFor(() => bySeq.includes('s3') && byTime.includes('s3'), { what: 'the message sent while cut off' });
      // From the sequence after s1: the other subject's message and s1 are not read.
      expect(bySeq).toEqual(['s2', 's3']);
      // From a minute ago: every message of the subject still stored, each once.
      expect(byTime.slice(-3)).toEqual(['s1', 's2', 's3']);
      expect(new Set(byTime).size).toBe(byTime.length);
    } finally {
      await fromSeq.stop();
      await fromTime.stop();
      await reader.close();
    }
  });

  it('leaves no consumer on the server once stopped, and a forgotten one goes after a short idle time', async () => {
    const reader = await connectNats(server.url, 'follow-test-consumers', silentLogger());
    const consumers = async () => (await publisher.jsm.consumers.list(STREAM).next()).map((c) => c.config);
    const before = new Set((await consumers()).map((config) => config.name));
    const followers = await Promise.all(
      [0, 1, 2].map(() => followStream(reader, STREAM, () => undefined, silentLogger(), { from: { seq: 1 } })),
    );
    try {
      const made = (await consumers()).filter((config) => !before.has(config.name));
      expect(made).toHaveLength(3);
      // A reader that dies without stopping: the server drops its consumer after 30 s, not the library's 5 minutes.
      for (const config of made) expect(config.inactive_threshold).toBe(30_000_000_000);
      await Promise.all(followers.map((follower) => follower.stop()));
      const names = new Set(made.map((config) => config.name));
      await waitFor(async () => (await consumers()).every((config) => !names.has(config.name)), {
        what: "the stopped followers' consumers gone",
      });
    } finally {
      await Promise.all(followers.map((follower) => follower.stop()));
      await reader.close();
    }
  });
});
