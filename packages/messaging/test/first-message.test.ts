import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import { Streams, Subjects } from '@fluxi/contracts';
import { startNatsServer, type ServerProcess } from '@fluxi/testkit';
import { connectNats, firstMessage, type Nats } from '../src/index.js';

let server: ServerProcess;
let nats: Nats;

beforeAll(async () => {
  server = await startNatsServer();
  nats = await connectNats(server.url, 'first-message-test', silentLogger());
});

afterAll(async () => {
  await nats?.close();
  await server?.stop();
});

describe('firstMessage', () => {
  it("gets the stream's first message on a subject with wildcards, or null, in one request", async () => {
    const text = (value: string) => new TextEncoder().encode(value);
    await nats.js.publish(Subjects.logChunk('PR1', 'JR1'), text('jr1 a'));
    await nats.js.publish(Subjects.logChunk('PR1', 'JR2'), text('jr2 a'));
    await nats.js.publish(Subjects.logChunk('PR2', 'JR2'), text('jr2 b'));
    const first = await firstMessage(nats, Streams.logs.name, Subjects.logChunk('*', 'JR2'));
    expect(first?.string()).toBe('jr2 a');
    expect(first?.seq).toBe(2);
    expect(await firstMessage(nats, Streams.logs.name, Subjects.logChunk('*', 'JR3'))).toBeNull();
  });
});
