import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type RunningService } from '@fluxi/common';
import { Subjects } from '@fluxi/contracts';
import { connectNats, type Nats } from '@fluxi/messaging';
import { startNatsServer, tempDir, waitFor } from '@fluxi/testkit';
import { FakeScheduler } from './fake-scheduler.js';
import {
  asViews,
  consumerInfo,
  graphql,
  graphqlLines,
  graphqlPage,
  JOB_RUN_LOGS,
  lines,
  publishChunk,
  startLogs,
  storeLines,
} from './helpers.js';

// One chDB folder for the whole file: chDB binds one data folder per process.
const dir = tempDir('fluxi-logs-');
let natsServer: Awaited<ReturnType<typeof startNatsServer>>;
let nats: Nats;
let scheduler: FakeScheduler;
let service: RunningService;
let url: string;

beforeAll(async () => {
  natsServer = await startNatsServer();
  service = await startLogs(dir.path, natsServer.url);
  url = service.url ?? '';
  nats = await connectNats(natsServer.url, 'logs-test', silentLogger());
  scheduler = await new FakeScheduler(nats.nc).start();
});

afterAll(async () => {
  scheduler?.stop();
  await service?.stop();
  await nats?.close();
  await natsServer?.stop();
  dir.remove();
});

/** Waits until the consumer has settled every message in the stream (acked or terminated). */
async function drained(): Promise<void> {
  await waitFor(
    async () => {
      const info = await consumerInfo(nats);
      return (
        info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq === info.ack_floor.stream_seq
      );
    },
    { what: 'the logs consumer to settle every message' },
  );
}

describe('log chunks from JetStream', () => {
  it('are stored and served per attempt in seq order, streams kept, via the store and GraphQL', async () => {
    const run = { pipelineRunId: 'R-order', jobRunId: 'JR-order' };
    scheduler.jobRuns.set(run.jobRunId, 2);
    scheduler.jobRuns.set('JR-other', 1);
    const attempt1 = lines(1, 1, 250);
    const attempt2 = lines(2, 1, 5, 'retry');
    // Published out of order: the reads sort, whatever the arrival order.
    await publishChunk(nats, run, attempt2);
    await publishChunk(nats, run, attempt1.slice(200));
    await publishChunk(nats, run, attempt1.slice(0, 100));
    await publishChunk(nats, run, attempt1.slice(100, 200));
    await publishChunk(nats, { pipelineRunId: 'R-order', jobRunId: 'JR-other' }, lines(1, 1, 7, 'other'));

    await waitFor(
      async () =>
        (await graphqlPage(url, { id: run.jobRunId, attempt: 1, first: 0 })).totalCount === attempt1.length &&
        (await graphqlPage(url, { id: run.jobRunId, first: 0 })).totalCount === attempt2.length,
      { what: 'all lines to be readable' },
    );
    // Without `attempt`: the job run's latest, and the answer says which.
    expect(await graphqlPage(url, { id: run.jobRunId })).toEqual({
      lines: asViews(attempt2),
      attempt: 2,
      totalCount: 5,
      nextCursor: expect.any(String),
      hasMore: false,
    });
    expect(await graphqlLines(url, { id: run.jobRunId, attempt: 1 })).toEqual(asViews(attempt1));
    expect(await storeLines(dir.path, run.jobRunId, 1)).toEqual(attempt1);
    expect(await storeLines(dir.path, run.jobRunId, 2)).toEqual(attempt2);
    expect(new Set(attempt1.map((line) => line.stream))).toEqual(new Set(['STDOUT', 'STDERR', 'SYSTEM']));
    expect(await graphqlLines(url, { id: 'JR-other' })).toEqual(asViews(lines(1, 1, 7, 'other')));
  });

  it('pages through 2500 lines with the cursor, each line once and in order', async () => {
    const run = { pipelineRunId: 'R-pages', jobRunId: 'JR-pages' };
    scheduler.jobRuns.set(run.jobRunId, 1);
    const all = lines(1, 1, 2500);
    for (let from = 0; from < all.length; from += 500) await publishChunk(nats, run, all.slice(from, from + 500));
    await waitFor(async () => (await graphqlPage(url, { id: run.jobRunId, first: 0 })).totalCount === all.length, {
      what: 'the 2500 lines to be readable',
    });

    const pages = [];
    let after: string | null = null;
    do {
      const page = await graphqlPage(url, { id: run.jobRunId, after, first: 1000 });
      pages.push(page);
      after = page.nextCursor;
      if (!page.hasMore) break;
    } while (pages.length < 10);
    expect(pages.map((page) => [page.lines.length, page.totalCount, page.hasMore, page.attempt])).toEqual([
      [1000, 2500, true, 1],
      [1000, 2500, true, 1],
      [500, 2500, false, 1],
    ]);
    expect(pages.flatMap((page) => page.lines)).toEqual(asViews(all));
    // The last cursor reads on after the end: nothing yet, and the same cursor back.
    expect(await graphqlPage(url, { id: run.jobRunId, after })).toMatchObject({
      lines: [],
      nextCursor: after,
      hasMore: false,
    });
  });

  it('keeps the attempt of the cursor when none is asked', async () => {
    const run = { pipelineRunId: 'R-retry', jobRunId: 'JR-retry' };
    scheduler.jobRuns.set(run.jobRunId, 2);
    await publishChunk(nats, run, lines(1, 1, 30));
    await publishChunk(nats, run, lines(2, 1, 3, 'retry'));
    await waitFor(async () => (await graphqlPage(url, { id: run.jobRunId, attempt: 1, first: 0 })).totalCount === 30, {
      what: 'the first attempt to be readable',
    });
    const first = await graphqlPage(url, { id: run.jobRunId, attempt: 1, first: 10 });
    const next = await graphqlPage(url, { id: run.jobRunId, after: first.nextCursor, first: 10 });
    expect(next.attempt).toBe(1);
    expect(next.lines).toEqual(asViews(lines(1, 11, 20)));
  });

  it('answers an empty page for a job run that printed nothing, NOT_FOUND for one that does not exist', async () => {
    scheduler.jobRuns.set('JR-quiet', 1);
    expect(await graphqlPage(url, { id: 'JR-quiet' })).toEqual({
      lines: [],
      attempt: 1,
      totalCount: 0,
      nextCursor: null,
      hasMore: false,
    });
    const unknown = await graphql(url, JOB_RUN_LOGS, { id: 'JR-unknown' });
    expect(unknown.errors?.[0]).toMatchObject({
      message: 'job run JR-unknown does not exist',
      extensions: { code: 'NOT_FOUND' },
    });
    expect(unknown.data).toBeNull();
  });

  it('answers bad arguments with BAD_USER_INPUT and the argument name', async () => {
    const fault = async (variables: Record<string, unknown>) =>
      (await graphql(url, JOB_RUN_LOGS, { id: 'JR-order', ...variables })).errors?.[0]?.extensions;
    expect(await fault({ after: 'not-a-cursor' })).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(await fault({ first: 10_001 })).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(await fault({ attempt: 0 })).toEqual({ code: 'BAD_USER_INPUT', field: 'attempt' });
    expect(await fault({ attempt: 3 })).toEqual({ code: 'BAD_USER_INPUT', field: 'attempt' });
  });

  it('shows a chunk delivered twice (two msgIDs) once', async () => {
    const run = { pipelineRunId: 'R-dup', jobRunId: 'JR-dup' };
    scheduler.jobRuns.set(run.jobRunId, 1);
    const chunk = lines(1, 1, 3);
    await publishChunk(nats, run, chunk, 'JR-dup.1.1');
    await publishChunk(nats, run, chunk, 'JR-dup.1.1.again');
    await drained();
    // Again in a later batch, after the first copies were written.
    await publishChunk(nats, run, chunk, 'JR-dup.1.1.third');
    await drained();
    expect(await storeLines(dir.path, run.jobRunId)).toEqual(chunk);
    expect(await graphqlPage(url, { id: run.jobRunId })).toMatchObject({ lines: asViews(chunk), totalCount: 3 });
  });

  it('drops a malformed message and keeps the rest of its batch', async () => {
    const run = { pipelineRunId: 'R-bad', jobRunId: 'JR-after-bad' };
    scheduler.jobRuns.set(run.jobRunId, 1);
    scheduler.jobRuns.set('JR-bad', 1);
    await nats.js.publish(Subjects.logChunk('R-bad', 'JR-bad'), new Uint8Array([0xff, 0xff, 0xff, 0x01]), {
      msgID: 'garbage',
    });
    await publishChunk(nats, { pipelineRunId: 'R-bad', jobRunId: 'JR-bad' }, [
      { seq: 0, stream: 'STDOUT', text: 'seq 0', attempt: 1 },
    ]);
    await publishChunk(nats, run, lines(1, 1, 4));
    await drained();
    expect(await graphqlLines(url, { id: run.jobRunId })).toEqual(asViews(lines(1, 1, 4)));
    expect(await graphqlLines(url, { id: 'JR-bad' })).toEqual([]);
  });
});
