import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '@fluxi/common';
import {
  CancelJobRunSchema,
  ContractVersion,
  FailureClass,
  JobOutcome,
  LogStream,
  Subjects,
  create,
} from '@fluxi/contracts';
import { encode } from '@fluxi/messaging';
import { startTcpProxy, waitFor } from '@fluxi/testkit';
import {
  dataDirOf,
  enqueue,
  executeJob,
  isDead,
  readPid,
  startTestExecutor,
  startTestServers,
  testConfig,
  texts,
  type TestExecutor,
  type TestServers,
} from './helpers.js';

let servers: TestServers;
let running: TestExecutor;
let infoLog: string;

beforeAll(async () => {
  servers = await startTestServers('fluxi-executor-cancel-');
  const logDir = join(servers.dirs.path, 'logs');
  infoLog = join(logDir, 'info.log');
  // The executor's log tells the test when a cancel has been received.
  const logger = createLogger({ level: 'info', dir: logDir, console: false });
  running = await startTestExecutor(servers, testConfig(dataDirOf(servers)), logger);
});

afterAll(async () => {
  await running?.stop();
  await servers?.stop();
});

async function publishCancel(jobRunId: string, attempt: number, reason: string): Promise<void> {
  const message = create(CancelJobRunSchema, {
    version: ContractVersion.CONTRACT_VERSION_1,
    jobRunId,
    attempt,
    reason,
  });
  // As the scheduler does: stored in the FLUXI_CONTROL stream.
  await servers.nats.js.publish(Subjects.jobRunCancel, encode(CancelJobRunSchema, message));
}

const cancelReceived = (jobRunId: string) =>
  existsSync(infoLog) &&
  readFileSync(infoLog, 'utf8')
    .split('\n')
    .some((line) => line.includes('cancel received') && line.includes(jobRunId));

describe('cancel', () => {
  it('stops a running attempt and its whole process group, and finishes it CANCELLED', async () => {
    const pidFile = join(servers.dirs.path, 'cancel.pid');
    const job = await enqueue(
      running.queue,
      executeJob({
        command: 'sleep 300 & echo $! > "$PID_FILE"; echo started; sleep 300',
        env: { PID_FILE: pidFile },
        artifactPaths: ['*'],
      }),
    );
    const grandchild = await readPid(pidFile);
    await waitFor(() => running.executor.activeJobs().includes(job.jobRunId), { what: 'job running' });
    await publishCancel(job.jobRunId, 0, 'cancelled by the test');
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({
      outcome: JobOutcome.CANCELLED,
      failureClass: FailureClass.CANCELLED,
      exitCode: -1,
      reason: 'cancelled by the test',
    });
    expect(run.finished.artifacts).toEqual([]);
    expect(texts(run.lines, LogStream.STDOUT)).toEqual(['started']);
    expect(texts(run.lines, LogStream.SYSTEM)).toEqual([
      "cancelled: cancelled by the test; stopping the job's processes (SIGTERM, SIGKILL after 1s)",
    ]);
    const shell = run.started.kind.case === 'started' ? run.started.kind.value.pid : 0;
    expect(shell).toBeGreaterThan(0);
    expect(isDead(shell)).toBe(true);
    expect(isDead(grandchild)).toBe(true);
  });

  it('finishes CANCELLED without running an attempt that arrives after its cancel', async () => {
    const marker = join(servers.dirs.path, 'ran');
    const job = executeJob({ command: 'touch "$MARKER"', env: { MARKER: marker } });
    await publishCancel(job.jobRunId, 1, 'pipeline cancelled');
    await waitFor(() => cancelReceived(job.jobRunId), { what: 'cancel received' });
    await enqueue(running.queue, job);
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({
      outcome: JobOutcome.CANCELLED,
      failureClass: FailureClass.CANCELLED,
      reason: 'pipeline cancelled',
    });
    expect(texts(run.lines, LogStream.SYSTEM)).toEqual(['cancelled: pipeline cancelled; the job was not started']);
    expect(existsSync(marker)).toBe(false);
  });

  it('stops an attempt whose cancel was sent while its executor was cut off from NATS', async () => {
    const proxy = await startTcpProxy({ port: servers.natsServer.port });
    const cutOff = await startTestExecutor(
      servers,
      testConfig(dataDirOf(servers, 'cut-off')),
      silentLogger(),
      proxy.url('nats'),
    );
    try {
      const job = await enqueue(cutOff.queue, executeJob({ command: 'echo started; sleep 300' }));
      await waitFor(() => cutOff.executor.activeJobs().includes(job.jobRunId), { what: 'job running' });
      proxy.cut();
      await publishCancel(job.jobRunId, 0, 'cancelled while cut off');
      // Long enough for the executor to notice the cut and try to reconnect in vain.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      proxy.restore();
      const run = await servers.collector.attempt(job.jobRunId);
      expect(run.finished).toMatchObject({
        outcome: JobOutcome.CANCELLED,
        failureClass: FailureClass.CANCELLED,
        reason: 'cancelled while cut off',
      });
    } finally {
      await cutOff.stop();
      await proxy.close();
    }
  });

  it('leaves a running attempt alone when the cancel names another attempt', async () => {
    // The job runs until the test lets it finish, after the cancel has been handled.
    const go = join(servers.dirs.path, 'go');
    const job = await enqueue(
      running.queue,
      executeJob({ command: 'echo started; while [ ! -f "$GO" ]; do sleep 0.05; done; echo done', env: { GO: go } }, 2),
    );
    await waitFor(() => running.executor.activeJobs().includes(job.jobRunId), { what: 'job running' });
    await publishCancel(job.jobRunId, 1, 'attempt 1 only');
    await waitFor(() => cancelReceived(job.jobRunId), { what: 'cancel received' });
    writeFileSync(go, '');
    const run = await servers.collector.attempt(job.jobRunId, 2);
    expect(run.finished.outcome).toBe(JobOutcome.SUCCESS);
    expect(texts(run.lines, LogStream.STDOUT)).toEqual(['started', 'done']);
  });

  it('runs an attempt whose earlier attempt was cancelled', async () => {
    const first = executeJob({ command: 'echo one' });
    await publishCancel(first.jobRunId, 1, 'only attempt 1');
    await waitFor(() => cancelReceived(first.jobRunId), { what: 'cancel received' });
    const second = { ...first, attempt: 2 };
    await enqueue(running.queue, second);
    const run = await servers.collector.attempt(first.jobRunId, 2);
    expect(run.finished.outcome).toBe(JobOutcome.SUCCESS);
  });
});
