import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerOptionsSchema, FailureClass, JobOutcome, LogStream, PullPolicy, create } from '@fluxi/contracts';
import { freePort, tempDir } from '@fluxi/testkit';
import { dockerConfig, dockerSuite, type DockerSetup } from './docker-setup.js';
import {
  dataDirOf,
  enqueue,
  executeJob,
  startTestExecutor,
  startTestServers,
  testConfig,
  texts,
  type TestExecutor,
  type TestServers,
} from './helpers.js';

const { title, setup } = await dockerSuite('docker driver: images and pull policies');

describe.skipIf(setup === undefined)(title, () => {
  // Collected even when skipped: nothing of the setup is used then.
  const { engine, client, image } = setup ?? ({} as DockerSetup);
  let servers: TestServers;
  let running: TestExecutor;
  /** A registry address where nothing listens (loopback), so a pull fails at once and goes nowhere else. */
  let registry: string;

  beforeAll(async () => {
    servers = await startTestServers('fluxi-executor-docker-images-');
    registry = `127.0.0.1:${await freePort()}`;
    // The test image under a name of that registry: present, yet it cannot be pulled.
    await client.getImage(image).tag({ repo: `${registry}/fluxi-test/local`, tag: '1' });
    running = await startTestExecutor(servers, dockerConfig(dataDirOf(servers), engine));
  });

  afterAll(async () => {
    await running?.stop();
    await servers?.stop();
    await engine.stop();
  });

  const withPolicy = (pullPolicy: PullPolicy) => create(DockerOptionsSchema, { pullPolicy });

  it('if-not-present (the default) runs an image the engine has without pulling it', async () => {
    for (const docker of [undefined, withPolicy(PullPolicy.IF_NOT_PRESENT)]) {
      const job = await enqueue(
        running.queue,
        executeJob({ image: `${registry}/fluxi-test/local:1`, command: 'echo ran', docker }),
      );
      const run = await servers.collector.attempt(job.jobRunId);
      expect(run.finished.outcome).toBe(JobOutcome.SUCCESS);
      expect(texts(run.lines, LogStream.STDOUT)).toEqual(['ran']);
      expect(texts(run.lines, LogStream.SYSTEM)).toEqual([]);
    }
  });

  it('never fails at once, as infrastructure, when the image is missing', async () => {
    const missing = `${registry}/fluxi-test/absent:1`;
    const job = await enqueue(
      running.queue,
      executeJob({ image: missing, command: 'true', docker: withPolicy(PullPolicy.NEVER) }),
    );
    const run = await servers.collector.attempt(job.jobRunId);
    const reason = `image ${missing} cannot be had: it is not on the engine and the pull policy is never`;
    expect(run.finished).toMatchObject({
      outcome: JobOutcome.FAILED,
      failureClass: FailureClass.INFRASTRUCTURE,
      reason,
    });
    expect(texts(run.lines, LogStream.SYSTEM)).toEqual([reason]);
  });

  it('if-not-present pulls a missing image, and a failed pull is an infrastructure failure naming the image', async () => {
    const missing = `${registry}/fluxi-test/absent:2`;
    const job = await enqueue(running.queue, executeJob({ image: missing, command: 'true', timeoutSec: 60 }));
    const run = await servers.collector.attempt(job.jobRunId, 1, 60_000);
    expect(run.finished).toMatchObject({ outcome: JobOutcome.FAILED, failureClass: FailureClass.INFRASTRUCTURE });
    expect(run.finished.reason.startsWith(`image ${missing} cannot be had: `)).toBe(true);
    expect(run.finished.reason.length).toBeGreaterThan(`image ${missing} cannot be had: `.length);
    expect(texts(run.lines, LogStream.SYSTEM)).toEqual([`pulling image ${missing}`, run.finished.reason]);
  });

  it('always pulls, even an image the engine has: it fails when the registry cannot give it', async () => {
    const local = `${registry}/fluxi-test/local:1`;
    const job = await enqueue(
      running.queue,
      executeJob({ image: local, command: 'echo ran', timeoutSec: 60, docker: withPolicy(PullPolicy.ALWAYS) }),
    );
    const run = await servers.collector.attempt(job.jobRunId, 1, 60_000);
    expect(run.finished).toMatchObject({ outcome: JobOutcome.FAILED, failureClass: FailureClass.INFRASTRUCTURE });
    expect(run.finished.reason.startsWith(`image ${local} cannot be had: `)).toBe(true);
    expect(texts(run.lines, LogStream.STDOUT)).toEqual([]);
  });

  it("bounds a pull that hangs by the job's timeout", async () => {
    // A registry that takes connections and never answers.
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const hanging = `127.0.0.1:${port}/fluxi-test/slow:1`;
      const job = await enqueue(running.queue, executeJob({ image: hanging, command: 'true', timeoutSec: 2 }));
      const run = await servers.collector.attempt(job.jobRunId);
      expect(run.finished).toMatchObject({
        outcome: JobOutcome.FAILED,
        failureClass: FailureClass.TIMEOUT,
        reason: 'timed out after 2s',
      });
      expect(texts(run.lines, LogStream.SYSTEM)).toEqual([
        `pulling image ${hanging}`,
        "timed out after 2s: stopping the job's processes (SIGTERM, SIGKILL after 1s)",
      ]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('fails as a job error when the engine turns the container down as the job wrote it', async () => {
    // Docker takes no memory limit under 6 MiB.
    const job = await enqueue(
      running.queue,
      executeJob({ image, command: 'true', docker: create(DockerOptionsSchema, { memoryMib: 1 }) }),
    );
    const run = await servers.collector.attempt(job.jobRunId);
    expect(run.finished).toMatchObject({ outcome: JobOutcome.FAILED, failureClass: FailureClass.JOB });
    expect(run.finished.reason.startsWith('could not create the container: ')).toBe(true);
  });
});

describe('docker driver: no engine', () => {
  let servers: TestServers;
  let running: TestExecutor;
  let dirs: { path: string; remove: () => void };

  beforeAll(async () => {
    servers = await startTestServers('fluxi-executor-no-engine-');
    dirs = tempDir('fluxi-no-engine-');
    running = await startTestExecutor(
      servers,
      testConfig(dataDirOf(servers), { docker: { host: `unix://${dirs.path}/docker.sock`, enabled: true } }),
    );
  });

  afterAll(async () => {
    await running?.stop();
    await servers?.stop();
    dirs?.remove();
  });

  it('fails a job with an image as infrastructure, naming the engine it could not reach', async () => {
    const job = await enqueue(running.queue, executeJob({ image: 'fluxi-test/busybox:1', command: 'true' }));
    const run = await servers.collector.attempt(job.jobRunId);
    const prefix = `docker engine not reachable at unix://${dirs.path}/docker.sock: `;
    expect(run.finished).toMatchObject({ outcome: JobOutcome.FAILED, failureClass: FailureClass.INFRASTRUCTURE });
    expect(run.finished.reason.startsWith(prefix)).toBe(true);
    expect(texts(run.lines, LogStream.SYSTEM)).toEqual([run.finished.reason]);
    // Shell jobs of the same executor are not affected.
    const shell = await enqueue(running.queue, executeJob({ command: 'echo fine' }));
    expect((await servers.collector.attempt(shell.jobRunId)).finished.outcome).toBe(JobOutcome.SUCCESS);
  });
});
