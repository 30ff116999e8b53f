import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type FluxiConfig } from '@fluxi/common';
import { FailureClass, JobOutcome, LogStream, executeQueueName } from '@fluxi/contracts';
import { connectNats, redisConnection, type Nats } from '@fluxi/messaging';
import { startNatsServer, startRedisServer, tempDir, waitFor, type ServerProcess } from '@fluxi/testkit';
import { start, type RunningExecutor } from '../src/index.js';
import { StreamCollector, enqueue, executeJob, isDead, readPid, testConfig, texts } from './helpers.js';

let natsServer: ServerProcess;
let redisServer: ServerProcess;
let nats: Nats;
let collector: StreamCollector;
let dirs: ReturnType<typeof tempDir>;
let config: FluxiConfig;
let queue: Queue;
let executor: RunningExecutor | undefined;

beforeAll(async () => {
  [natsServer, redisServer] = await Promise.all([startNatsServer(), startRedisServer()]);
  dirs = tempDir('fluxi-executor-stop-');
  nats = await connectNats(natsServer.url, 'executor-stop-test', silentLogger());
  collector = await StreamCollector.start(nats);
});

afterEach(async () => {
  await executor?.stop();
  executor = undefined;
  await queue?.close();
});

afterAll(async () => {
  await collector?.stop();
  await nats?.close();
  await Promise.all([natsServer?.stop(), redisServer?.stop()]);
  dirs?.remove();
});

async function startExecutor(shutdownGraceMs: number): Promise<RunningExecutor> {
  config = testConfig(join(dirs.path, 'data'));
  queue = new Queue(executeQueueName(config.executor.pool), {
    connection: redisConnection(redisServer.url),
    prefix: config.redis.prefix,
  });
  executor = await start({
    config,
    natsUrl: natsServer.url,
    redisUrl: redisServer.url,
    logger: silentLogger(),
    shutdownGraceMs,
  });
  return executor;
}

describe('executor shutdown', () => {
  it('stop() waits for running jobs to finish and publish their finish', async () => {
    const running = await startExecutor(30_000);
    const flag = join(dirs.path, 'go');
    // The job runs until the test creates the flag, after stop() was called.
    const job = await enqueue(
      queue,
      executeJob({
        command: 'while [ ! -e "$FLAG" ]; do sleep 0.05; done; echo finished cleanly',
        env: { FLAG: flag },
      }),
    );
    await waitFor(() => running.activeJobs().includes(job.jobRunId), { what: 'job running' });
    let stopped = false;
    const stopping = running.stop().then(() => (stopped = true));
    await waitFor(() => collector.eventsOf(job.jobRunId).some((event) => event.kind.case === 'started'), {
      what: 'started',
    });
    expect(stopped).toBe(false);
    expect(running.activeJobs()).toEqual([job.jobRunId]);
    writeFileSync(flag, '');
    await stopping;
    expect(running.activeJobs()).toEqual([]);
    // The finish was published before stop() resolved.
    const finished = collector.eventsOf(job.jobRunId).find((event) => event.kind.case === 'finished');
    expect(finished?.kind.value).toMatchObject({ outcome: JobOutcome.SUCCESS });
    const run = await collector.attempt(job.jobRunId);
    expect(texts(run.lines, LogStream.STDOUT)).toEqual(['finished cleanly']);
    await waitFor(async () => (await queue.getJobState(job.jobRunId)) === 'completed', { what: 'completed' });
  });

  it('kills the process groups of jobs still running after the grace and reports them', async () => {
    const running = await startExecutor(200);
    const pidFile = join(dirs.path, 'stop.pid');
    const job = await enqueue(
      queue,
      executeJob({ command: 'sleep 300 & echo $! > "$PID_FILE"; sleep 300', env: { PID_FILE: pidFile } }),
    );
    const background = await readPid(pidFile);
    await running.stop();
    const run = await collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({
      outcome: JobOutcome.FAILED,
      failureClass: FailureClass.INFRASTRUCTURE,
      exitCode: -1,
      reason: 'executor stopped while the job was running',
    });
    expect(texts(run.lines, LogStream.SYSTEM)).toContain("the executor is stopping: stopping the job's processes");
    expect(isDead(background)).toBe(true);
    expect(existsSync(join(config.dataDir, 'work', job.jobRunId))).toBe(false);
  });
});
