import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureClass, JobOutcome, executeQueueName } from '@fluxi/contracts';
import { redisConnection } from '@fluxi/messaging';
import { runFluxiCli, waitFor, type CliRun } from '@fluxi/testkit';
import { containersOf, dockerSuite, type DockerSetup } from './docker-setup.js';
import { dataDirOf, enqueue, executeJob, startTestServers, type TestServers } from './helpers.js';

const { title, setup } = await dockerSuite('docker driver: the containers of an executor killed with SIGKILL');

describe.skipIf(setup === undefined)(title, () => {
  // Collected even when skipped: nothing of the setup is used then.
  const { engine, client, image } = setup ?? ({} as DockerSetup);
  const name = `death-test-${Math.random().toString(36).slice(2, 8)}`;
  const prefix = `t${Math.random().toString(36).slice(2, 8)}`;
  let servers: TestServers;
  let queue: Queue;
  const processes: CliRun[] = [];

  beforeAll(async () => {
    servers = await startTestServers('fluxi-executor-docker-death-');
    queue = new Queue(executeQueueName('default'), {
      connection: redisConnection(servers.redisServer.url),
      prefix,
    });
  });

  afterAll(async () => {
    for (const run of processes)
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await queue?.close();
    await servers?.stop();
    await engine.stop();
  });

  /** `fluxi-server --target executor` as its own process, with the Docker driver on the test engine. */
  async function startExecutorProcess(): Promise<CliRun> {
    const settings = {
      'log.console': false,
      'redis.prefix': prefix,
      'executor.name': name,
      'executor.docker.enabled': true,
      'executor.docker.host': engine.host,
      'executor.docker.network': 'none',
      'executor.heartbeatSec': 0.5,
    };
    const args = ['--target', 'executor', '--data-dir', dataDirOf(servers, 'executor')];
    for (const [key, value] of Object.entries(settings)) args.push('--set', `${key}=${value}`);
    const run = runFluxiCli(args, { NATS_URL: servers.natsServer.url, REDIS_URL: servers.redisServer.url });
    processes.push(run);
    await waitFor(() => run.out.stdout.includes('Press Ctrl-C') || run.child.exitCode !== null, {
      what: 'the executor process to start',
      timeoutMs: 60_000,
    });
    expect(run.child.exitCode, run.out.stderr).toBeNull();
    return run;
  }

  const stateOf = async (jobRunId: string) => (await containersOf(client, jobRunId)).map((info) => info.State);

  it('are killed when it dies, then reported and removed by its next life', async () => {
    const first = await startExecutorProcess();
    const job = await enqueue(queue, executeJob({ image, command: 'echo up; sleep 300' }));
    await waitFor(async () => (await stateOf(job.jobRunId)).includes('running'), {
      what: 'the job container to run',
      timeoutMs: 30_000,
    });

    first.child.kill('SIGKILL');
    await first.exited;
    // Nothing of the executor is left to stop it but its exit guard.
    await waitFor(async () => (await stateOf(job.jobRunId)).every((state) => state !== 'running'), {
      what: 'the container of the killed executor to stop',
      timeoutMs: 20_000,
    });
    expect(await stateOf(job.jobRunId)).toEqual(['exited']);

    // The next life reports the attempt and removes the container.
    await startExecutorProcess();
    const finished = await waitFor(
      () =>
        servers.collector
          .eventsOf(job.jobRunId)
          .map((event) => (event.kind.case === 'finished' ? event.kind.value : undefined))
          .find((value) => value !== undefined),
      { what: 'the lost attempt to be reported', timeoutMs: 30_000 },
    );
    expect(finished).toMatchObject({
      outcome: JobOutcome.FAILED,
      failureClass: FailureClass.INFRASTRUCTURE,
      reason: 'executor restarted',
    });
    await waitFor(async () => (await stateOf(job.jobRunId)).length === 0, { what: 'the container to be removed' });
  });
});
