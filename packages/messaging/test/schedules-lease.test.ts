import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import { create, MissedFirePolicy, OverlapPolicy, ScheduleDefinitionSchema } from '@fluxi/contracts';
import { startNatsServer, waitFor, type ServerProcess } from '@fluxi/testkit';
import { connectNats, openLeaseKv, openScheduleBucket, watchSchedules, type Nats } from '../src/index.js';

let server: ServerProcess;
let nats: Nats;

beforeAll(async () => {
  server = await startNatsServer();
  nats = await connectNats(server.url, 'schedules-test', silentLogger());
});

afterAll(async () => {
  await nats?.close();
  await server?.stop();
});

const definition = (id: string, cron: string) =>
  create(ScheduleDefinitionSchema, {
    id,
    name: id.toLowerCase(),
    cron,
    timezone: 'UTC',
    targets: [{ target: { case: 'pipelineId', value: 'P1' } }],
    overlap: OverlapPolicy.SKIP,
    missedFires: MissedFirePolicy.RUN_ONCE,
    activeSinceMs: 1000n,
  });

describe('schedule bucket', () => {
  it('gives a watcher what is there, then each put and delete', async () => {
    const bucket = await openScheduleBucket(nats);
    await bucket.put(definition('S1', '* * * * *'));
    await bucket.put(definition('S2', '@daily'));
    await bucket.delete('S2');
    const seen = new Map<string, string | undefined>();
    const watch = await watchSchedules(nats, (id, value) => seen.set(id, value?.cron), silentLogger());
    await waitFor(() => seen.get('S1') === '* * * * *', { what: 'the current schedule' });
    expect(seen.has('S2') ? seen.get('S2') : undefined).toBeUndefined();
    await bucket.put(definition('S3', '0 * * * *'));
    await bucket.delete('S1');
    await waitFor(() => seen.get('S3') === '0 * * * *' && seen.has('S1') && seen.get('S1') === undefined, {
      what: 'the changes',
    });
    expect((await bucket.ids()).sort()).toEqual(['S3']);
    await watch.stop();
  });
});

describe('lease', () => {
  it('is claimed once, renewed by compare-and-set, taken over at the seen revision, released', async () => {
    const lease = await openLeaseKv(nats, 'test-lease');
    expect(await lease.read()).toBeNull();
    const first = await lease.claim('a', 3000, null);
    expect(first).toEqual(expect.any(Number));
    // A second create loses: the entry exists.
    expect(await lease.claim('b', 3000, null)).toBeNull();
    const renewed = await lease.claim('a', 3000, first);
    expect(renewed).toBeGreaterThan(first as number);
    // An update at a stale revision loses.
    expect(await lease.claim('b', 3000, first)).toBeNull();
    expect(await lease.read()).toEqual({ holder: 'a', ttlMs: 3000, revision: renewed });
    const taken = await lease.claim('b', 3000, renewed);
    expect((await lease.read())?.holder).toBe('b');
    // A release at a stale revision leaves the entry alone.
    await lease.release(renewed as number);
    expect((await lease.read())?.holder).toBe('b');
    await lease.release(taken as number);
    expect(await lease.read()).toBeNull();
    // After a release the next claim creates it again.
    expect(await lease.claim('c', 3000, null)).toEqual(expect.any(Number));
  });
});
