import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canConnect, createLogger, silentLogger, type FluxiConfig, type Logger } from '@fluxi/common';
import { JobOutcome, LogStream, executeQueueName } from '@fluxi/contracts';
import { connectNats, redisConnection } from '@fluxi/messaging';
import { startNatsServer, startRedisServer, tempDir, waitFor, type ServerProcess } from '@fluxi/testkit';
import { start, type RunningExecutor } from '../src/index.js';
import { StreamCollector, enqueue, executeJob, testConfig, texts, type AttemptRecord } from './helpers.js';

let natsServer: ServerProcess;
let redisServer: ServerProcess;
let dirs: ReturnType<typeof tempDir>;
let storeDir: string;
let logDir: string;
const executors: RunningExecutor[] = [];
const queues: Queue[] = [];
/** Default executor: log spool of the default size (1 GiB). */
let queue: Queue;
/** An executor whose log spool holds only 64 KiB. */
let smallSpoolQueue: Queue;

beforeAll(async () => {
  dirs = tempDir('fluxi-executor-outage-');
  storeDir = join(dirs.path, 'nats');
  logDir = join(dirs.path, 'logs');
  [natsServer, redisServer] = await Promise.all([startNatsServer({ storeDir }), startRedisServer()]);
  // Warnings go to a file the test reads to know when publishing has started failing.
  const logger = createLogger({ level: 'warn', dir: logDir, console: false });
  queue = await startExecutor(testConfig(join(dirs.path, 'data')), logger);
  smallSpoolQueue = await startExecutor(
    testConfig(join(dirs.path, 'data-small'), { pool: 'small-spool', logSpoolMaxBytes: 64 * 1024 }),
    silentLogger(),
  );
});

// A test that failed during its outage leaves nats-server down: the next one starts with it up.
beforeEach(async () => {
  if (!(await canConnect(natsServer.port))) await restartNats();
});

afterAll(async () => {
  for (const executor of executors) await executor.stop();
  for (const open of queues) await open.close();
  await Promise.all([natsServer?.stop(), redisServer?.stop()]);
  dirs?.remove();
});

async function startExecutor(config: FluxiConfig, logger: Logger): Promise<Queue> {
  // A short publish timeout so an attempt lost in the outage is retried soon.
  const executor = await start({
    config,
    natsUrl: natsServer.url,
    redisUrl: redisServer.url,
    logger,
    publishTimeoutMs: 1000,
  });
  executors.push(executor);
  const opened = new Queue(executeQueueName(config.executor.pool), {
    connection: redisConnection(redisServer.url),
    prefix: config.redis.prefix,
  });
  queues.push(opened);
  return opened;
}

/** Brings nats-server back on the same port with the same JetStream store (after a kill). */
async function restartNats(): Promise<void> {
  natsServer = await startNatsServer({ storeDir, port: natsServer.port });
}

/** Reads both streams from their start on a connection of its own. */
async function withCollector<T>(use: (collector: StreamCollector) => Promise<T>): Promise<T> {
  const nats = await connectNats(natsServer.url, 'executor-outage-test', silentLogger());
  const collector = await StreamCollector.start(nats);
  try {
    return await use(collector);
  } finally {
    await collector.stop();
    await nats.close();
  }
}

const seqs = (run: AttemptRecord) => run.lines.map((line) => Number(line.seq));
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('executor while NATS is down', () => {
  it('keeps the events and every line, spooling them to disk so jobs go on, and publishes them once NATS is back', async () => {
    await natsServer.kill();
    const job = await enqueue(queue, executeJob({ command: "seq -f 'out %g' 1 1000; echo oops >&2; exit 2" }));
    // A chatty job: far more output than memory holds (5000 lines); the spool takes the rest, so it goes on.
    const done = join(dirs.path, 'chatty.done');
    const chatty = await enqueue(
      queue,
      executeJob({ command: `seq -f 'n %g' 1 100000; touch "$DONE"`, env: { DONE: done } }),
    );
    // The same job on an executor whose spool is full long before: its output is paused (it blocks on write).
    const pausedDone = join(dirs.path, 'paused.done');
    const paused = await enqueue(
      smallSpoolQueue,
      executeJob({ command: `seq -f 'n %g' 1 100000; touch "$DONE"`, env: { DONE: pausedDone } }),
    );
    const warnLog = join(logDir, 'warn.log');
    await waitFor(
      () => existsSync(warnLog) && readFileSync(warnLog, 'utf8').includes('publish to JetStream failed, retrying'),
      { what: 'a failed publish', timeoutMs: 30_000 },
    );
    await waitFor(() => existsSync(done), { what: 'the chatty job to end while NATS is down', timeoutMs: 60_000 });
    // 5000 lines in memory and 64 KiB of spool cannot hold 100 000 lines: that job is still blocked.
    expect(existsSync(pausedDone)).toBe(false);
    await restartNats();
    await withCollector(async (collector) => {
      const run = await collector.attempt(job.jobRunId);
      expect(run.events.map((event) => event.kind.case)).toEqual(['started', 'finished']);
      expect(run.finished).toMatchObject({ outcome: JobOutcome.FAILED, exitCode: 2, lastSeq: 1001n });
      expect(texts(run.lines, LogStream.STDOUT)).toEqual(Array.from({ length: 1000 }, (_, i) => `out ${i + 1}`));
      expect(texts(run.lines, LogStream.STDERR)).toEqual(['oops']);
      expect(seqs(run)).toEqual(oneTo(1001));
      for (const record of [await collector.attempt(chatty.jobRunId), await collector.attempt(paused.jobRunId)]) {
        // 100 000 output lines, then the note that the context kept only the start of them.
        expect(record.finished).toMatchObject({ outcome: JobOutcome.SUCCESS, lastSeq: 100001n });
        expect(seqs(record)).toEqual(oneTo(100001));
        expect(texts(record.lines, LogStream.STDOUT)).toEqual(Array.from({ length: 100000 }, (_, i) => `n ${i + 1}`));
        expect(texts(record.lines, LogStream.SYSTEM)).toEqual([
          `context cut at ${64 * 1024} of ${record.finished.outputBytes} bytes of standard output`,
        ]);
      }
      expect(existsSync(pausedDone)).toBe(true);
    });
  });

  it('loses no line when nats-server is killed in the middle of a job and comes back', async () => {
    const count = 200;
    const job = await enqueue(
      queue,
      executeJob({ command: `i=1; while [ $i -le ${count} ]; do echo "line $i"; i=$((i+1)); sleep 0.05; done` }),
    );
    // Some lines are stored before the crash, the others are printed while it is down or after.
    await withCollector((collector) =>
      waitFor(() => collector.chunks.filter((chunk) => chunk.jobRunId === job.jobRunId).length >= 2, {
        what: 'the first log chunks',
      }),
    );
    await natsServer.kill();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await restartNats();
    await withCollector(async (collector) => {
      const run = await collector.attempt(job.jobRunId, 1, 60_000);
      expect(run.finished).toMatchObject({ outcome: JobOutcome.SUCCESS, lastSeq: BigInt(count) });
      expect(seqs(run)).toEqual(oneTo(count));
      expect(texts(run.lines, LogStream.STDOUT)).toEqual(oneTo(count).map((i) => `line ${i}`));
    });
  });
});
