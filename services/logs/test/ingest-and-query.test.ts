import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type RunningService } from '@fluxi/common';
import { Subjects } from '@fluxi/contracts';
import { connectNats, type Nats } from '@fluxi/messaging';
import { startNatsServer, tempDir, waitFor } from '@fluxi/testkit';
import {
  asViews,
  consumerInfo,
  graphql,
  graphqlLines,
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
let service: RunningService;
let url: string;

beforeAll(async () => {
  natsServer = await startNatsServer();
  service = await startLogs(dir.path, natsServer.url);
  url = service.url ?? '';
  nats = await connectNats(natsServer.url, 'logs-test', silentLogger());
});

afterAll(async () => {
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
  it('are stored and served in (attempt, seq) order, streams kept, via the store and GraphQL', async () => {
    const run = { pipelineRunId: 'R-order', jobRunId: 'JR-order' };
    const attempt1 = lines(1, 1, 250);
    const attempt2 = lines(2, 1, 5, 'retry');
    // Published out of order: the reads sort, whatever the arrival order.
    await publishChunk(nats, run, attempt2);
    await publishChunk(nats, run, attempt1.slice(200));
    await publishChunk(nats, run, attempt1.slice(0, 100));
    await publishChunk(nats, run, attempt1.slice(100, 200));
    await publishChunk(nats, { pipelineRunId: 'R-order', jobRunId: 'JR-other' }, lines(1, 1, 7, 'other'));

    const expected = [...attempt1, ...attempt2];
    await waitFor(async () => (await graphqlLines(url, { id: run.jobRunId })).length === expected.length, {
      what: 'all lines to be readable',
    });
    expect(await graphqlLines(url, { id: run.jobRunId })).toEqual(asViews(expected));
    expect(await storeLines(dir.path, { jobRunId: run.jobRunId })).toEqual(expected);
    expect(new Set(expected.map((line) => line.stream))).toEqual(new Set(['STDOUT', 'STDERR', 'SYSTEM']));

    expect(await graphqlLines(url, { id: run.jobRunId, attempt: 2 })).toEqual(asViews(attempt2));
    expect(await graphqlLines(url, { id: run.jobRunId, attempt: 1, afterSeq: 240 })).toEqual(
      asViews(attempt1.slice(240)),
    );
    expect(await graphqlLines(url, { id: run.jobRunId, limit: 3 })).toEqual(asViews(attempt1.slice(0, 3)));
    expect(await graphqlLines(url, { id: 'JR-other' })).toEqual(asViews(lines(1, 1, 7, 'other')));
    expect(await graphqlLines(url, { id: 'JR-nothing' })).toEqual([]);
  });

  it('answers bad arguments with BAD_USER_INPUT and the argument name', async () => {
    const noAttempt = await graphql(url, JOB_RUN_LOGS, { id: 'JR-order', afterSeq: 3 });
    expect(noAttempt.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'afterSeq' });
    const tooMany = await graphql(url, JOB_RUN_LOGS, { id: 'JR-order', limit: 100_001 });
    expect(tooMany.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'limit' });
  });

  it('shows a chunk delivered twice (two msgIDs) once', async () => {
    const run = { pipelineRunId: 'R-dup', jobRunId: 'JR-dup' };
    const chunk = lines(1, 1, 3);
    await publishChunk(nats, run, chunk, 'JR-dup.1.1');
    await publishChunk(nats, run, chunk, 'JR-dup.1.1.again');
    await drained();
    // Again in a later batch, after the first copies were written.
    await publishChunk(nats, run, chunk, 'JR-dup.1.1.third');
    await drained();
    expect(await storeLines(dir.path, { jobRunId: run.jobRunId })).toEqual(chunk);
    expect(await graphqlLines(url, { id: run.jobRunId })).toEqual(asViews(chunk));
  });

  it('drops a malformed message and keeps the rest of its batch', async () => {
    const run = { pipelineRunId: 'R-bad', jobRunId: 'JR-after-bad' };
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
