import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import { create, ExecutorInfoSchema, ExecutorState, Streams, type ExecutorInfo } from '@fluxi/contracts';
import { startNatsServer, waitFor, type ServerProcess } from '@fluxi/testkit';
import {
  connectNats,
  ensureStreams,
  executorKey,
  executorStateAt,
  listExecutors,
  openExecutorRegistry,
  putExecutor,
  watchExecutors,
  type Nats,
  type RegisteredExecutor,
} from '../src/index.js';

let server: ServerProcess;
let nats: Nats;

beforeAll(async () => {
  server = await startNatsServer();
  nats = await connectNats(server.url, 'executors-test', silentLogger());
});

afterAll(async () => {
  await nats?.close();
  await server?.stop();
});

const info = (id: string, fields: Omit<Partial<ExecutorInfo>, '$typeName' | '$unknown'> = {}): ExecutorInfo =>
  create(ExecutorInfoSchema, { id, pool: 'default', state: ExecutorState.IDLE, heartbeatMs: 1000, ...fields });

describe('executor registry', () => {
  it('keeps one entry per executor id, listed by id, until it is deleted', async () => {
    const registry = await openExecutorRegistry(nats);
    await putExecutor(nats, info('host-b:2', { tags: ['gpu'] }));
    await putExecutor(nats, info('host-a:1'));
    await putExecutor(nats, info('host-a:1', { state: ExecutorState.BUSY }));
    const listed = await listExecutors(nats);
    expect(listed.map((e) => [e.info.id, e.state, e.info.tags])).toEqual([
      ['host-a:1', ExecutorState.BUSY, []],
      ['host-b:2', ExecutorState.IDLE, ['gpu']],
    ]);
    const got = await registry.get('host-a:1');
    expect(got?.revision).toBeGreaterThan(0);
    await registry.delete('host-a:1');
    await registry.delete('host-b:2');
    expect(await registry.get('host-a:1')).toBeUndefined();
    expect(await listExecutors(nats)).toEqual([]);
  });

  it('says LOST for an entry older than two heartbeat intervals, by the NATS server clock', async () => {
    await putExecutor(nats, info('host-c:3'));
    const [entry] = await listExecutors(nats);
    expect(entry?.state).toBe(ExecutorState.IDLE);
    const seenAt = entry?.seenAtMs ?? 0;
    expect(executorStateAt(entry!.info, seenAt, seenAt + 2000)).toBe(ExecutorState.IDLE);
    expect(executorStateAt(entry!.info, seenAt, seenAt + 2001)).toBe(ExecutorState.LOST);
    const [later] = await listExecutors(nats, seenAt + 5000);
    expect(later?.state).toBe(ExecutorState.LOST);
    await (await openExecutorRegistry(nats)).delete('host-c:3');
  });

  it('announces heartbeats and clean stops to a watcher', async () => {
    const seen: Array<[string, RegisteredExecutor | undefined]> = [];
    const watch = await watchExecutors(nats, (key, executor) => seen.push([key, executor]), silentLogger());
    try {
      await putExecutor(nats, info('host-d:4'));
      await (await openExecutorRegistry(nats)).delete('host-d:4');
      await waitFor(() => seen.length >= 2 || undefined, { what: 'two registry changes' });
      expect(seen.map(([key, executor]) => [key, executor?.info.id])).toEqual([
        [executorKey('host-d:4'), 'host-d:4'],
        [executorKey('host-d:4'), undefined],
      ]);
    } finally {
      await watch.stop();
    }
  });

  it('turns executor ids into distinct valid KV keys', () => {
    expect(executorKey('ci-runner.example.com:4242')).toBe('ci-runner.example.com_3a_4242');
    expect(executorKey('a_3a_1')).not.toBe(executorKey('a:1'));
    expect(executorKey('a b/c')).toMatch(/^[-/_=.a-zA-Z0-9]+$/);
  });
});

describe('ensureStreams', () => {
  it('adds the subjects a stream made by an older version lacks', async () => {
    const control = Streams.control.name;
    await nats.jsm.streams.update(control, { subjects: ['fluxi.executor.cancel'] });
    await ensureStreams(nats.jsm);
    const { config } = await nats.jsm.streams.info(control);
    expect([...(config.subjects ?? [])].sort()).toEqual([...Streams.control.subjects].sort());
  });
});
