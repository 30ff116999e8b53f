import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import { startNatsServer, waitFor, type ServerProcess } from '@fluxi/testkit';
import { connectNats, startDurableConsumer, type FailedDeliveries, type JsMsg, type Nats } from '../src/index.js';

let server: ServerProcess;
let nats: Nats;
let streamCount = 0;

beforeAll(async () => {
  server = await startNatsServer();
  nats = await connectNats(server.url, 'durable-test', silentLogger());
});

afterAll(async () => {
  await nats?.close();
  await server?.stop();
});

/** A fresh stream with these messages already in it (so the first batch holds them all). */
async function streamWith(texts: string[]): Promise<{ stream: string; subject: string }> {
  streamCount += 1;
  const stream = `DURABLE_TEST_${streamCount}`;
  const subject = `durable.test${streamCount}.events`;
  await nats.jsm.streams.add({ name: stream, subjects: [subject] });
  for (const text of texts) await nats.js.publish(subject, new TextEncoder().encode(text));
  return { stream, subject };
}

interface DeadLetter {
  text: string;
  error: string;
  failed: FailedDeliveries;
}

/** Handles messages the way a store would: a batch with a poison message fails as a whole. */
function poisonAware(handled: string[], poison: (text: string) => boolean) {
  return async (messages: JsMsg[]) => {
    const bad = messages.find((message) => poison(message.string()));
    if (bad !== undefined) throw new Error(`cannot store ${bad.seq}`);
    for (const message of messages) if (!handled.includes(message.string())) handled.push(message.string());
  };
}

describe('startDurableConsumer', () => {
  it('handles the rest of a failing batch one by one and dead-letters the poison after maxDeliveries', async () => {
    const { stream, subject } = await streamWith(['a', 'poison', 'b', 'c']);
    const handled: string[] = [];
    const deadLetters: DeadLetter[] = [];
    const deliveriesOfPoison: number[] = [];
    const consumer = await startDurableConsumer(nats, {
      stream,
      durable: 'dl-test',
      batchSize: 10,
      maxWaitMs: 50,
      maxDeliveries: 3,
      redeliveryDelayMs: 20,
      logger: silentLogger(),
      handle: async (messages) => {
        for (const m of messages) if (m.string() === 'poison') deliveriesOfPoison.push(m.info.deliveryCount);
        await poisonAware(handled, (text) => text === 'poison')(messages);
      },
      onDeadLetter: async (message, error, failed) => {
        deadLetters.push({ text: message.string(), error: (error as Error).message, failed });
      },
    });
    try {
      await waitFor(() => deadLetters.length === 1, { what: 'the dead letter' });
      expect(handled).toEqual(['a', 'b', 'c']);
      expect(deadLetters[0]).toMatchObject({ text: 'poison', error: 'cannot store 2', failed: { deliveries: 3 } });
      expect(deadLetters[0]?.failed.firstFailedAt).toBeInstanceOf(Date);
      // Later messages are handled; the poison never comes back.
      await nats.js.publish(subject, new TextEncoder().encode('d'));
      await waitFor(() => handled.includes('d'), { what: 'a later message' });
      await waitFor(
        async () => {
          const info = await nats.jsm.consumers.info(stream, 'dl-test');
          return info.num_pending === 0 && info.num_ack_pending === 0;
        },
        { what: 'every message settled' },
      );
      expect(Math.max(...deliveriesOfPoison)).toBe(3);
      expect(deadLetters).toHaveLength(1);
    } finally {
      await consumer.stop();
    }
  });

  it('delivers a message again when dead-lettering it fails, and terminates it once that works', async () => {
    const { stream } = await streamWith(['poison']);
    let refuse = 2;
    const deadLetters: DeadLetter[] = [];
    const consumer = await startDurableConsumer(nats, {
      stream,
      durable: 'dl-retry',
      batchSize: 10,
      maxWaitMs: 20,
      maxDeliveries: 1,
      redeliveryDelayMs: 20,
      ackWaitSec: 60,
      logger: silentLogger(),
      handle: poisonAware([], () => true),
      onDeadLetter: async (message, error, failed) => {
        if (refuse > 0) {
          refuse -= 1;
          throw new Error('dead-letter store down');
        }
        deadLetters.push({ text: message.string(), error: (error as Error).message, failed });
      },
    });
    try {
      await waitFor(() => deadLetters.length === 1, { what: 'the dead letter' });
      expect(deadLetters[0]?.failed.deliveries).toBe(3);
      await waitFor(async () => (await nats.jsm.consumers.info(stream, 'dl-retry')).num_ack_pending === 0, {
        what: 'the message to be terminated',
      });
    } finally {
      await consumer.stop();
    }
  });

  it('without onDeadLetter, keeps delivering a failing message past maxDeliveries', async () => {
    const { stream } = await streamWith(['poison']);
    const deliveries: number[] = [];
    const consumer = await startDurableConsumer(nats, {
      stream,
      durable: 'no-dl',
      batchSize: 10,
      maxWaitMs: 20,
      maxDeliveries: 2,
      redeliveryDelayMs: 10,
      logger: silentLogger(),
      handle: async (messages) => {
        for (const m of messages) deliveries.push(m.info.deliveryCount);
        throw new Error('always');
      },
    });
    try {
      await waitFor(() => deliveries.some((count) => count > 3), { what: 'a fourth delivery' });
    } finally {
      await consumer.stop();
    }
  });

  it('stops trying a failed batch message by message when the first ones all fail too', async () => {
    const texts = Array.from({ length: 10 }, (_, i) => `m${i + 1}`);
    const { stream } = await streamWith(texts);
    const calls: { text: string; deliveries: number }[][] = [];
    const consumer = await startDurableConsumer(nats, {
      stream,
      durable: 'outage',
      batchSize: 10,
      maxWaitMs: 200,
      redeliveryDelayMs: 10,
      logger: silentLogger(),
      handle: async (messages) => {
        calls.push(messages.map((m) => ({ text: m.string(), deliveries: m.info.deliveryCount })));
        throw new Error('store down');
      },
    });
    try {
      await waitFor(() => calls.some((call) => call.some((m) => m.deliveries > 1)), { what: 'a second delivery' });
      expect(calls[0]?.map((m) => m.text)).toEqual(texts);
      const aloneAtFirst = calls.filter((call) => call.length === 1 && call[0]?.deliveries === 1);
      expect(aloneAtFirst.map((call) => call[0]?.text)).toEqual(['m1', 'm2', 'm3']);
    } finally {
      await consumer.stop();
    }
  });

  it('with prepare, gathers and prepares the next batch while one is handled, and handles them in order', async () => {
    const { stream, subject } = await streamWith(['1', '2', '3']);
    const events: string[] = [];
    let release: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (release = resolve));
    const consumer = await startDurableConsumer(nats, {
      stream,
      durable: 'prepare-test',
      batchSize: 3,
      maxWaitMs: 50,
      logger: silentLogger(),
      prepare: (messages) => events.push(`prepare ${messages.map((m) => m.string()).join('')}`),
      handle: async (messages) => {
        const texts = messages.map((m) => m.string()).join('');
        events.push(`handle ${texts}`);
        if (texts === '123') await firstHeld;
        events.push(`done ${texts}`);
      },
    });
    try {
      await waitFor(() => events.includes('handle 123'), { what: 'the first batch' });
      for (const text of ['4', '5']) await nats.js.publish(subject, new TextEncoder().encode(text));
      // The second batch is prepared while the first is still being handled, and waits for it.
      await waitFor(() => events.includes('prepare 45'), { what: 'the next batch prepared' });
      expect(events).toEqual(['prepare 123', 'handle 123', 'prepare 45']);
      release();
      await waitFor(() => events.includes('done 45'), { what: 'the second batch' });
      expect(events).toEqual(['prepare 123', 'handle 123', 'prepare 45', 'done 123', 'handle 45', 'done 45']);
      await waitFor(
        async () => {
          const info = await nats.jsm.consumers.info(stream, 'prepare-test');
          return info.num_pending === 0 && info.num_ack_pending === 0;
        },
        { what: 'every message acked' },
      );
    } finally {
      release();
      await consumer.stop();
    }
  });

  it('holds a batch of only held messages until one that is not comes, or holdMs passes', async () => {
    const { stream, subject } = await streamWith([]);
    const batches: string[] = [];
    const consumer = await startDurableConsumer(nats, {
      stream,
      durable: 'hold-test',
      batchSize: 10,
      maxWaitMs: 0,
      holds: (message) => message.string().startsWith('started'),
      holdMs: 2000,
      logger: silentLogger(),
      handle: async (messages) => void batches.push(messages.map((m) => m.string()).join(' ')),
    });
    const publish = (text: string) => nats.js.publish(subject, new TextEncoder().encode(text));
    try {
      await publish('started 1');
      await publish('started 2');
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Held: nothing handled yet, well within holdMs.
      expect(batches).toEqual([]);
      await publish('finished 1');
      await waitFor(() => batches.length === 1, { what: 'the held batch' });
      expect(batches).toEqual(['started 1 started 2 finished 1']);
      // A message that does not hold is handled at once, alone.
      await publish('finished 2');
      await waitFor(() => batches.length === 2, { what: 'the next batch' });
      expect(batches[1]).toBe('finished 2');
      // A held one alone goes after holdMs.
      const before = Date.now();
      await publish('started 3');
      await waitFor(() => batches.length === 3, { what: 'the held one, once its time passed', timeoutMs: 10_000 });
      expect(batches[2]).toBe('started 3');
      expect(Date.now() - before).toBeGreaterThanOrEqual(1900);
    } finally {
      await consumer.stop();
    }
  });
});
