import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdPrefix, newId } from '@fluxi/common';
import { FailureClass, JobOutcome, type JobRunFinished } from '@fluxi/contracts';
import { waitFor } from '@fluxi/testkit';
import { dockerConfig, dockerSuite, type DockerSetup } from './docker-setup.js';
import {
  dataDirOf,
  enqueue,
  executeJob,
  startTestExecutor,
  startTestServers,
  type TestExecutor,
  type TestServers,
} from './helpers.js';

const { title, setup } = await dockerSuite('docker driver: containers a previous life left');

describe.skipIf(setup === undefined)(title, () => {
  // Collected even when skipped: nothing of the setup is used then.
  const { engine, client, image } = setup ?? ({} as DockerSetup);
  const name = `orphan-test-${Math.random().toString(36).slice(2, 8)}`;
  let servers: TestServers;
  let running: TestExecutor | undefined;
  /** A live process of this host other than the test's: the pid of a sibling executor. */
  let sibling: ChildProcess;

  beforeAll(async () => {
    servers = await startTestServers('fluxi-executor-docker-orphans-');
    sibling = spawn('sleep', ['300'], { stdio: 'ignore' });
  });

  afterAll(async () => {
    sibling?.kill('SIGKILL');
    await running?.stop();
    await servers?.stop();
    await engine.stop();
  });

  /** A container as an executor named `executor` (instance `instance`) would have left it for an attempt. */
  async function leftContainer(executor: string, instance: string, command: string, containerName?: string) {
    const ref = { jobRunId: newId(IdPrefix.jobRun), pipelineRunId: newId(IdPrefix.pipelineRun), attempt: 2 };
    const container = await client.createContainer({
      ...(containerName === undefined ? {} : { name: containerName.replace('<id>', ref.jobRunId) }),
      Image: image,
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: [command],
      Labels: {
        'fluxi.job-run': ref.jobRunId,
        'fluxi.attempt': String(ref.attempt),
        'fluxi.pipeline-run': ref.pipelineRunId,
        'fluxi.job': newId(IdPrefix.job),
        'fluxi.executor': executor,
        'fluxi.executor-instance': instance,
      },
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    if (command === 'true') await container.wait();
    return { ref, id: container.id };
  }

  /** A pid no process of this host has now: the previous life's (a fixed one may be taken by anything). */
  const deadPid = () => {
    for (let pid = 4242; ; pid++) {
      try {
        process.kill(pid, 0);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ESRCH') return pid;
      }
    }
  };

  const exists = async (id: string) => {
    try {
      await client.getContainer(id).inspect();
      return true;
    } catch {
      return false;
    }
  };

  it('at start, reports the attempts of a previous life as failed and removes their containers, and only those', async () => {
    const previous = `${hostname()}:${deadPid()}/0ld11fe`;
    const runningOrphan = await leftContainer(name, previous, 'sleep 300');
    const exitedOrphan = await leftContainer(name, previous, 'true');
    const kept = await leftContainer(name, previous, 'true', 'fluxi-kept-<id>-2-0123456789ab');
    const otherExecutor = await leftContainer(`${name}-other`, previous, 'sleep 300');
    const liveSibling = await leftContainer(name, `${hostname()}:${sibling.pid}/51b11n9`, 'sleep 300');

    running = await startTestExecutor(servers, dockerConfig(dataDirOf(servers), engine, { name }));

    for (const orphan of [runningOrphan, exitedOrphan]) {
      const event = await waitFor(
        () =>
          servers.collector
            .eventsOf(orphan.ref.jobRunId)
            .find((candidate) => candidate.attempt === orphan.ref.attempt && candidate.kind.case === 'finished'),
        { what: `finished event of the orphan ${orphan.ref.jobRunId}` },
      );
      expect(event.pipelineRunId).toBe(orphan.ref.pipelineRunId);
      expect(event.kind.value as JobRunFinished).toMatchObject({
        outcome: JobOutcome.FAILED,
        failureClass: FailureClass.INFRASTRUCTURE,
        exitCode: -1,
        reason: 'executor restarted',
      });
      expect(await exists(orphan.id)).toBe(false);
    }
    for (const left of [kept, otherExecutor, liveSibling]) {
      expect(await exists(left.id)).toBe(true);
      expect(servers.collector.eventsOf(left.ref.jobRunId)).toEqual([]);
    }
    for (const left of [kept, otherExecutor, liveSibling]) await client.getContainer(left.id).remove({ force: true });

    // The executor then runs docker jobs as usual.
    const job = await enqueue(running.queue, executeJob({ image, command: 'echo after' }));
    expect((await servers.collector.attempt(job.jobRunId)).finished.outcome).toBe(JobOutcome.SUCCESS);
  });
});
