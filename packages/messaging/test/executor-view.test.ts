import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import { Buckets, create, ExecutorInfoSchema, ExecutorState, type ExecutorInfo } from '@fluxi/contracts';
import { startNatsServer, waitFor, type RestartableServer } from '@fluxi/testkit';
import { connectNats, openExecutorRegistry, openExecutorView, type ExecutorRegistry, type Nats } from '../src/index.js';

/**
 * The executor registry read from a local copy a watch keeps current: seeded with what
 * the bucket held, then every heartbeat and clean stop; no consumer per read; and after a
 * NATS restart, reads go to NATS until the watch has begun again.
 */
let server: RestartableServer;
let nats: Nats;
let registry: ExecutorRegistry;

beforeAll(async () => {
  server = await startNatsServer();
  nats = await connectNats(server.url, 'executor-view-test', silentLogger());
  registry = await openExecutorRegistry(nats);
});

afterAll(async () => {
  await nats?.close();
  await server?.stop();
});

const info = (id: string, fields: Omit<Partial<ExecutorInfo>, '$typeName' | '$unknown'> = {}): ExecutorInfo =>
  create(ExecutorInfoSchema, { id, pool: 'default', state: ExecutorState.IDLE, heartbeatMs: 60_000, ...fields });

const ids = async (view: { list(): Promise<{ info: ExecutorInfo }[]> }) => (await view.list()).map((e) => e.info.id);

/** The consumers on the registry's stream (a watch is one; each kv.keys() listing made another). */
async function consumers(): Promise<number> {
  return (await nats.jsm.streams.info(`KV_${Buckets.executors.name}`)).state.consumer_count;
}

describe('executor registry view', () => {
  it('holds what the bucket held, then each heartbeat and clean stop, with no consumer per read', async () => {
    await registry.put(info('host-a:1'));
    const view = await openExecutorView(nats, silentLogger());
    try {
      await waitFor(async () => (await ids(view)).join() === 'host-a:1' || undefined, { what: 'the seeded entry' });
      await registry.put(info('host-b:2', { tags: ['gpu'] }));
      await registry.put(info('host-a:1', { state: ExecutorState.BUSY }));
      await registry.delete('host-a:1');
      await waitFor(async () => (await ids(view)).join() === 'host-b:2' || undefined, { what: 'the changes applied' });
      expect((await view.get('host-b:2'))?.info.tags).toEqual(['gpu']);
      expect(await view.get('host-a:1')).toBeUndefined();

      const before = await consumers();
      await Promise.all(Array.from({ length: 50 }, () => view.list()));
      expect(await consumers()).toBeLessThanOrEqual(before);
    } finally {
      await view.stop();
      await registry.delete('host-b:2');
    }
  });

  it('says LOST from the age of the last heartbeat it holds', async () => {
    await registry.put(info('host-c:3', { heartbeatMs: 1000 }));
    const view = await openExecutorView(nats, silentLogger());
    try {
      const entry = await waitFor(() => view.get('host-c:3'), { what: 'the entry' });
      expect((await view.get('host-c:3', entry.seenAtMs + 1000))?.state).toBe(ExecutorState.IDLE);
      expect((await view.get('host-c:3', entry.seenAtMs + 2001))?.state).toBe(ExecutorState.LOST);
      // NATS removes an entry ten minutes after its last heartbeat, without a marker a watch would see.
      expect(await view.get('host-c:3', entry.seenAtMs + 600_001)).toBeUndefined();
    } finally {
      await view.stop();
      await registry.delete('host-c:3');
    }
  });

  it('reads NATS while cut off from it, and follows again once NATS is back', async () => {
    const view = await openExecutorView(nats, silentLogger());
    try {
      await registry.put(info('host-d:4'));
      await waitFor(async () => (await ids(view)).includes('host-d:4') || undefined, { what: 'the entry' });
      await server.stop();
      // Not the copy: it may have missed heartbeats and would make every executor look silent.
      await waitFor(
        async () =>
          view.list().then(
            () => undefined,
            () => true,
          ),
        { what: 'reads to fail' },
      );
      await server.restart();
      await waitFor(async () => !nats.nc.isClosed() && (await nats.nc.flush().then(() => true)), {
        what: 'the connection back',
      });
      await registry.put(info('host-e:5'));
      await registry.delete('host-d:4');
      await waitFor(async () => (await ids(view).catch(() => [])).join() === 'host-e:5' || undefined, {
        what: 'the changes after the restart',
        timeoutMs: 20_000,
      });
      // The watch began again: reads are from the copy, with no consumer per read.
      const before = await consumers();
      await Promise.all(Array.from({ length: 20 }, () => view.list()));
      expect(await consumers()).toBeLessThanOrEqual(before);
    } finally {
      await view.stop();
    }
  });
});
