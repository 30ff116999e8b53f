import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CancelJobRunSchema,
  ContractVersion,
  DockerOptionsSchema,
  FailureClass,
  JobOutcome,
  LogStream,
  Subjects,
  create,
} from '@fluxi/contracts';
import { encode } from '@fluxi/messaging';
import { waitFor } from '@fluxi/testkit';
import { containersOf, dockerConfig, dockerSuite, removed, type DockerSetup } from './docker-setup.js';
import {
  dataDirOf,
  enqueue,
  executeJob,
  isDead,
  startTestExecutor,
  startTestServers,
  texts,
  type TestExecutor,
  type TestServers,
} from './helpers.js';

const { title, setup } = await dockerSuite('docker driver: timeouts, cancels and memory limits');

describe.skipIf(setup === undefined)(title, () => {
  // Collected even when skipped: nothing of the setup is used then.
  const { engine, client, image } = setup ?? ({} as DockerSetup);
  let servers: TestServers;
  let running: TestExecutor;

  beforeAll(async () => {
    servers = await startTestServers('fluxi-executor-docker-stops-');
    running = await startTestExecutor(servers, dockerConfig(dataDirOf(servers), engine));
  });

  afterAll(async () => {
    await running?.stop();
    await servers?.stop();
    await engine.stop();
  });

  const pidOf = (run: { started: { kind: { case: string | undefined; value?: unknown } } }) =>
    run.started.kind.case === 'started' ? (run.started.kind.value as { pid: number }).pid : 0;

  it('stops, then kills, the container of a job past its timeout, and removes it', async () => {
    // The shell is the container's PID 1: SIGTERM does not stop it, SIGKILL after the grace does.
    const job = await enqueue(running.queue, executeJob({ image, command: 'echo waiting; sleep 300', timeoutSec: 1 }));
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({
      outcome: JobOutcome.FAILED,
      failureClass: FailureClass.TIMEOUT,
      exitCode: -1,
      reason: 'timed out after 1s',
    });
    expect(texts(run.lines, LogStream.STDOUT)).toEqual(['waiting']);
    expect(texts(run.lines, LogStream.SYSTEM)).toEqual([
      "timed out after 1s: stopping the job's processes (SIGTERM, SIGKILL after 1s)",
    ]);
    expect(pidOf(run)).toBeGreaterThan(0);
    expect(isDead(pidOf(run))).toBe(true);
    await removed(client, job.jobRunId);
  });

  it('kills the container of a cancelled job and finishes it CANCELLED', async () => {
    const job = await enqueue(running.queue, executeJob({ image, command: 'echo started; sleep 300' }));
    await waitFor(
      async () => (await containersOf(client, job.jobRunId)).some((container) => container.State === 'running'),
      { what: 'the job container running' },
    );
    const cancel = create(CancelJobRunSchema, {
      version: ContractVersion.CONTRACT_VERSION_1,
      jobRunId: job.jobRunId,
      attempt: 0,
      reason: 'cancelled by the test',
    });
    await servers.nats.js.publish(Subjects.jobRunCancel, encode(CancelJobRunSchema, cancel));
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({
      outcome: JobOutcome.CANCELLED,
      failureClass: FailureClass.CANCELLED,
      reason: 'cancelled by the test',
    });
    expect(texts(run.lines, LogStream.SYSTEM)).toEqual([
      "cancelled: cancelled by the test; stopping the job's processes (SIGTERM, SIGKILL after 1s)",
    ]);
    expect(isDead(pidOf(run))).toBe(true);
    await removed(client, job.jobRunId);
  });

  it('ends a job killed for memory FAILED, "out of memory (limit 16 MiB)"', async () => {
    // dd allocates its 64 MiB block at once: over the 16 MiB limit (no swap past it), the kernel kills it.
    const job = await enqueue(
      running.queue,
      executeJob({
        image,
        command: 'echo start; dd if=/dev/zero of=/dev/null bs=64M count=1',
        docker: create(DockerOptionsSchema, { memoryMib: 16 }),
      }),
    );
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({
      outcome: JobOutcome.FAILED,
      failureClass: FailureClass.JOB,
      exitCode: -1,
      reason: 'out of memory (limit 16 MiB)',
    });
    expect(texts(run.lines, LogStream.STDOUT)).toEqual(['start']);
    await removed(client, job.jobRunId);
  });

  it('runs the same work within a limit it fits in, with a CPU limit too', async () => {
    const job = await enqueue(
      running.queue,
      executeJob({
        image,
        command: 'dd if=/dev/zero of=/dev/null bs=1M count=1 2>/dev/null && echo fits',
        docker: create(DockerOptionsSchema, { memoryMib: 16, cpus: 0.5 }),
      }),
    );
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({ outcome: JobOutcome.SUCCESS, exitCode: 0 });
    expect(texts(run.lines, LogStream.STDOUT)).toEqual(['fits']);
  });
});
