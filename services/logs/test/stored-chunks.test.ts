import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger, type RunningService } from '@fluxi/common';
import { Streams } from '@fluxi/contracts';
import { connectNats, type Nats } from '@fluxi/messaging';
import { freePort, startNatsServer, tempDir, waitFor } from '@fluxi/testkit';
import { asViews, consumerInfo, graphqlLines, lines, publishChunk, startLogs } from './helpers.js';
import { FakeScheduler } from './fake-scheduler.js';

const dir = tempDir('fluxi-logs-stored-chunks-');
let natsServer: Awaited<ReturnType<typeof startNatsServer>>;
let nats: Nats;
let scheduler: FakeScheduler;
let service: RunningService | undefined;

beforeAll(async () => {
  natsServer = await startNatsServer();
  nats = await connectNats(natsServer.url, 'logs-test', silentLogger());
  scheduler = await new FakeScheduler(nats.nc).start();
  scheduler.jobRuns.set('JR-removed', 1);
});

afterAll(async () => {
  scheduler?.stop();
  await service?.stop();
  await nats?.close();
  await natsServer?.stop();
  dir.remove();
});

const streamState = async () => (await nats.jsm.streams.info(Streams.logs.name)).state;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('removes stored chunks from the stream, and never one that is not stored', async () => {
  const run = { pipelineRunId: 'R-removed', jobRunId: 'JR-removed' };
  const all = lines(1, 1, 40);

  // A store that fails every insert: nothing is acked, so the stream keeps every chunk.
  const deadUrl = `http://127.0.0.1:${await freePort()}`;
  service = await startLogs(dir.path, natsServer.url, { clickhouse: { url: deadUrl } });
  for (let from = 0; from < 20; from += 10) await publishChunk(nats, run, all.slice(from, from + 10));
  await waitFor(async () => ((await consumerInfo(nats)).num_redelivered > 0 ? true : undefined), {
    what: 'a failed insert',
  });
  // Past the removal delay (1 s) after the failure.
  await sleep(1500);
  expect((await streamState()).messages).toBe(2);
  await service.stop();
  service = undefined;

  // With a working store, the chunks are stored, acked and removed from the stream.
  service = await startLogs(dir.path, natsServer.url);
  const url = service.url ?? '';
  for (let from = 20; from < 40; from += 10) await publishChunk(nats, run, all.slice(from, from + 10));
  await waitFor(async () => ((await streamState()).messages === 0 ? true : undefined), {
    what: 'the stored chunks to leave the stream',
    // Chunks the stopped service had received but not acked come back after the ack wait (30 s).
    timeoutMs: 60_000,
  });
  const state = await streamState();
  expect(state.first_seq).toBe(5);
  expect((await consumerInfo(nats)).ack_floor.stream_seq).toBe(4);
  expect(await graphqlLines(url, { id: run.jobRunId })).toEqual(asViews(all));
});
