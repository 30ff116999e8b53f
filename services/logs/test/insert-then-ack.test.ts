import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger, type RunningService } from '@fluxi/common';
import { Streams } from '@fluxi/contracts';
import { connectNats, type Nats } from '@fluxi/messaging';
import { freePort, startNatsServer, tempDir, waitFor } from '@fluxi/testkit';
import {
  asViews,
  consumerInfo,
  graphql,
  graphqlLines,
  JOB_RUN_LOGS,
  lines,
  publishChunk,
  startLogs,
} from './helpers.js';
import { FakeScheduler } from './fake-scheduler.js';

const dir = tempDir('fluxi-logs-ack-');
let natsServer: Awaited<ReturnType<typeof startNatsServer>>;
let nats: Nats;
let scheduler: FakeScheduler;
let service: RunningService | undefined;

beforeAll(async () => {
  natsServer = await startNatsServer();
  nats = await connectNats(natsServer.url, 'logs-test', silentLogger());
  scheduler = await new FakeScheduler(nats.nc).start();
  scheduler.jobRuns.set('JR-ack', 1);
});

afterAll(async () => {
  scheduler?.stop();
  await service?.stop();
  await nats?.close();
  await natsServer?.stop();
  dir.remove();
});

it('acks a chunk only after its insert succeeded and then removes it from the stream; a failing store leaves it there', async () => {
  const run = { pipelineRunId: 'R-ack', jobRunId: 'JR-ack' };
  const all = lines(1, 1, 30);

  // A ClickHouse server URL where nothing listens: the service starts, every insert fails.
  const deadUrl = `http://127.0.0.1:${await freePort()}`;
  service = await startLogs(dir.path, natsServer.url, { clickhouse: { url: deadUrl } });
  const downUrl = service.url ?? '';
  for (let from = 0; from < all.length; from += 10) await publishChunk(nats, run, all.slice(from, from + 10));

  // Delivered, failed, delivered again: still nothing acked.
  const info = await waitFor(
    async () => {
      const current = await consumerInfo(nats);
      return current.num_redelivered > 0 && current.delivered.stream_seq === 3 ? current : undefined;
    },
    { what: 'the chunks to be delivered again after a failed insert' },
  );
  expect(info.ack_floor.stream_seq).toBe(0);
  expect(info.num_ack_pending + info.num_pending).toBe(3);
  // Past the removal delay (1 s): a chunk not stored stays.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect((await streamState()).messages).toBe(3);
  const unavailable = await graphql(downUrl, JOB_RUN_LOGS, { id: run.jobRunId });
  expect(unavailable.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');

  await service.stop();
  service = undefined;
  const afterStop = await consumerInfo(nats);
  expect(afterStop.ack_floor.stream_seq).toBe(0);
  // A nak'ed message waiting for redelivery may count as pending and ack-pending at once.
  expect(afterStop.num_ack_pending + afterStop.num_pending).toBeGreaterThanOrEqual(3);

  // The same stream, now with a working store (chDB): every line arrives, once.
  service = await startLogs(dir.path, natsServer.url);
  const url = service.url ?? '';
  await waitFor(async () => (await graphqlLines(url, { id: run.jobRunId })).length === all.length, {
    what: 'the chunks to arrive once the store works',
    // Chunks the stopped service had received but not acked come back after the ack wait (30 s).
    timeoutMs: 60_000,
  });
  expect(await graphqlLines(url, { id: run.jobRunId })).toEqual(asViews(all));
  await waitFor(async () => (await consumerInfo(nats)).ack_floor.stream_seq === 3, { what: 'every chunk to be acked' });
  // Stored, so removed from the stream (StoredChunkRemoval); the lines stay in the store.
  await waitFor(async () => ((await streamState()).messages === 0 ? true : undefined), {
    what: 'the stored chunks to leave the stream',
  });
  expect((await streamState()).first_seq).toBe(4);
  expect(await graphqlLines(url, { id: run.jobRunId })).toEqual(asViews(all));
});

const streamState = async () => (await nats.jsm.streams.info(Streams.logs.name)).state;
