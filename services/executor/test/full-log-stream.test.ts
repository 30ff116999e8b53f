import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@fluxi/common';
import { JobOutcome, LogChunkSchema, LogStream, Streams, type LogLine } from '@fluxi/contracts';
import { decode } from '@fluxi/messaging';
import { waitFor } from '@fluxi/testkit';
import {
  dataDirOf,
  enqueue,
  executeJob,
  startTestExecutor,
  startTestServers,
  testConfig,
  type TestExecutor,
  type TestServers,
} from './helpers.js';

/** Room for four chunks of 256 KiB: the job below prints ~25 times that. */
const CAP_BYTES = 1024 * 1024;
const LINES = 100_000;

let servers: TestServers;
let worker: TestExecutor;
let logDir: string;
/** Lines read off the stream by the stand-in for the logs service, in stream order. */
const read: LogLine[] = [];
let peakBytes = 0;
let stopReader: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  servers = await startTestServers('fluxi-full-logs-');
  const { jsm, js } = servers.nats;
  // A small limit, as an operator may set it: the executor's own check leaves it as it is.
  await jsm.streams.update(Streams.logs.name, { max_bytes: CAP_BYTES });
  logDir = join(servers.dirs.path, 'logs');
  const warnLog = join(logDir, 'warn.log');
  // The logs service's part: read each chunk and remove it (once "stored"). Nothing is removed
  // until the executor has said the stream is full, so it does fill up however fast each side is.
  const messages = await (await js.consumers.get(Streams.logs.name)).consume();
  const unremoved: number[] = [];
  const loop = (async () => {
    for await (const message of messages) {
      read.push(...decode(LogChunkSchema, message.data).lines);
      unremoved.push(message.seq);
    }
  })();
  let filled = false;
  const remover = setInterval(() => {
    filled ||= existsSync(warnLog) && readFileSync(warnLog, 'utf8').includes('the stream is full');
    if (!filled) return;
    for (const seq of unremoved.splice(0))
      void jsm.streams.deleteMessage(Streams.logs.name, seq).catch(() => undefined);
  }, 50);
  const sampler = setInterval(() => {
    jsm.streams.info(Streams.logs.name).then(
      (info) => (peakBytes = Math.max(peakBytes, info.state.bytes)),
      // A sample in flight when the servers stop.
      () => undefined,
    );
  }, 20);
  stopReader = async () => {
    clearInterval(sampler);
    clearInterval(remover);
    await messages.close();
    await loop;
  };
  const logger = createLogger({ level: 'warn', dir: logDir, console: false });
  worker = await startTestExecutor(servers, testConfig(dataDirOf(servers)), logger);
});

afterAll(async () => {
  await stopReader();
  await worker?.stop();
  await servers?.stop();
});

describe('a log stream at its byte limit', () => {
  it('makes the executor wait for room: every line arrives, in order, and the stream stays under its limit', async () => {
    expect((await servers.nats.jsm.streams.info(Streams.logs.name)).config).toMatchObject({
      max_bytes: CAP_BYTES,
      discard: 'new',
    });
    const started = Date.now();
    const job = await enqueue(
      worker.queue,
      executeJob({
        command: `seq 1 ${LINES} | awk '{ print "line " $1 " of a job printing faster than its logs are stored" }'`,
      }),
    );
    const attempt = await servers.collector.attempt(job.jobRunId, 1, 120_000);
    expect(attempt.finished.outcome).toBe(JobOutcome.SUCCESS);
    // The job's lines, then the executor's SYSTEM line about the cut context output.
    const lastSeq = Number(attempt.finished.lastSeq);
    expect(lastSeq).toBeGreaterThanOrEqual(LINES);
    await waitFor(() => read.length >= lastSeq, { what: 'every line read', timeoutMs: 30_000 });
    expect(read.map((line) => Number(line.seq))).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    const mine = read.filter((line) => line.stream === LogStream.STDOUT);
    expect(mine).toHaveLength(LINES);
    expect(mine.at(-1)?.text).toBe(`line ${LINES} of a job printing faster than its logs are stored`);
    expect(peakBytes).toBeLessThanOrEqual(CAP_BYTES);
    // It did fill up: the executor said so once per 30 s (a slow machine may take past 30 s), not once per chunk.
    const warnLog = join(logDir, 'warn.log');
    const warnings = existsSync(warnLog) ? readFileSync(warnLog, 'utf8') : '';
    const fullWarnings = warnings.match(/the stream is full/g)?.length ?? 0;
    expect(fullWarnings).toBeGreaterThanOrEqual(1);
    expect(fullWarnings).toBeLessThanOrEqual(1 + Math.floor((Date.now() - started) / 30_000));
    expect(warnings).not.toContain('publish to JetStream failed');
  });
});
