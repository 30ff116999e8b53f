import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '@fluxi/common';
import { JobOutcome, LogStream, executeQueueName } from '@fluxi/contracts';
import { connectNats, redisConnection } from '@fluxi/messaging';
import { startNatsServer, startRedisServer, tempDir, waitFor, type ServerProcess } from '@fluxi/testkit';
import { start, type RunningExecutor } from '../src/index.js';
import { StreamCollector, enqueue, executeJob, testConfig, texts } from './helpers.js';

let natsServer: ServerProcess;
let redisServer: ServerProcess;
let executor: RunningExecutor;
let queue: Queue;
let dirs: ReturnType<typeof tempDir>;
let storeDir: string;
let logDir: string;

beforeAll(async () => {
  dirs = tempDir('fluxi-executor-outage-');
  storeDir = join(dirs.path, 'nats');
  logDir = join(dirs.path, 'logs');
  [natsServer, redisServer] = await Promise.all([startNatsServer({ storeDir }), startRedisServer()]);
  const config = testConfig(join(dirs.path, 'data'));
  // Warnings go to a file the test reads to know when publishing has started failing.
  const logger = createLogger({ level: 'warn', dir: logDir, console: false });
  // A short publish timeout so an attempt lost in the outage is retried soon.
  executor = await start({
    config,
    natsUrl: natsServer.url,
    redisUrl: redisServer.url,
    logger,
    publishTimeoutMs: 1000,
  });
  queue = new Queue(executeQueueName(config.executor.pool), {
    connection: redisConnection(redisServer.url),
    prefix: config.redis.prefix,
  });
});

afterAll(async () => {
  await executor?.stop();
  await queue?.close();
  await Promise.all([natsServer?.stop(), redisServer?.stop()]);
  dirs?.remove();
});

describe('executor while NATS is down', () => {
  it('keeps the events and every line, and publishes them once NATS is back', async () => {
    await natsServer.kill();
    const job = await enqueue(queue, executeJob({ command: "seq -f 'out %g' 1 1000; echo oops >&2; exit 2" }));
    // A chatty job: with nothing acknowledged its output must be paused (it blocks on write), not buffered.
    const done = join(dirs.path, 'chatty.done');
    const chatty = await enqueue(
      queue,
      executeJob({ command: `seq -f 'n %g' 1 100000; touch "$DONE"`, env: { DONE: done } }),
    );
    const warnLog = join(logDir, 'warn.log');
    await waitFor(
      () => existsSync(warnLog) && readFileSync(warnLog, 'utf8').includes('publish to JetStream failed, retrying'),
      { what: 'a failed publish', timeoutMs: 30_000 },
    );
    expect(existsSync(done)).toBe(false);
    natsServer = await startNatsServer({ storeDir, port: natsServer.port });
    const nats = await connectNats(natsServer.url, 'executor-outage-test', silentLogger());
    const collector = await StreamCollector.start(nats);
    try {
      const run = await collector.attempt(job.jobRunId);
      expect(run.events.map((event) => event.kind.case)).toEqual(['started', 'finished']);
      expect(run.finished).toMatchObject({ outcome: JobOutcome.FAILED, exitCode: 2, lastSeq: 1001n });
      expect(texts(run.lines, LogStream.STDOUT)).toEqual(Array.from({ length: 1000 }, (_, i) => `out ${i + 1}`));
      expect(texts(run.lines, LogStream.STDERR)).toEqual(['oops']);
      expect(run.lines.map((line) => Number(line.seq))).toEqual(Array.from({ length: 1001 }, (_, i) => i + 1));
      const chattyRun = await collector.attempt(chatty.jobRunId);
      // 100 000 output lines, then the note that the context kept only the start of them.
      expect(chattyRun.finished).toMatchObject({ outcome: JobOutcome.SUCCESS, lastSeq: 100001n });
      expect(texts(chattyRun.lines, LogStream.STDOUT)).toEqual(Array.from({ length: 100000 }, (_, i) => `n ${i + 1}`));
      expect(texts(chattyRun.lines, LogStream.SYSTEM)).toEqual([
        `context cut at ${64 * 1024} of ${chattyRun.finished.outputBytes} bytes of standard output`,
      ]);
      expect(existsSync(done)).toBe(true);
    } finally {
      await collector.stop();
      await nats.close();
    }
  });
});
