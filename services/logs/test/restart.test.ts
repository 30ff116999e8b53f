import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger, type RunningService } from '@fluxi/common';
import { connectNats, type Nats } from '@fluxi/messaging';
import { startNatsServer, tempDir, waitFor } from '@fluxi/testkit';
import { asViews, graphqlLines, lines, publishChunk, startLogs, storeLines } from './helpers.js';
import { FakeScheduler } from './fake-scheduler.js';

const dir = tempDir('fluxi-logs-restart-');
let natsServer: Awaited<ReturnType<typeof startNatsServer>>;
let nats: Nats;
let scheduler: FakeScheduler;
let service: RunningService | undefined;

beforeAll(async () => {
  natsServer = await startNatsServer();
  nats = await connectNats(natsServer.url, 'logs-test', silentLogger());
  scheduler = await new FakeScheduler(nats.nc).start();
  scheduler.jobRuns.set('JR-restart', 1);
});

afterAll(async () => {
  scheduler?.stop();
  await service?.stop();
  await nats?.close();
  await natsServer?.stop();
  dir.remove();
});

it('loses nothing while stopped, catches up on start, and keeps the lines it had (on disk)', async () => {
  const run = { pipelineRunId: 'R-restart', jobRunId: 'JR-restart' };
  const all = lines(1, 1, 300);

  service = await startLogs(dir.path, natsServer.url);
  await publishChunk(nats, run, all.slice(0, 100));
  const firstUrl = service.url ?? '';
  await waitFor(async () => (await graphqlLines(firstUrl, { id: run.jobRunId })).length === 100, {
    what: 'the first chunk',
  });

  // Stopping closes the only chDB connection in this process, so the engine lets
  // the folder go: what the next start sees was read back from disk.
  await service.stop();
  service = undefined;
  await publishChunk(nats, run, all.slice(100, 200));
  await publishChunk(nats, run, all.slice(200));

  service = await startLogs(dir.path, natsServer.url);
  const url = service.url ?? '';
  await waitFor(async () => (await graphqlLines(url, { id: run.jobRunId })).length === all.length, {
    what: 'the chunks published while the service was down',
  });
  expect(await graphqlLines(url, { id: run.jobRunId })).toEqual(asViews(all));
  expect(await storeLines(dir.path, run.jobRunId)).toEqual(all);
});
