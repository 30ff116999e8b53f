import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLUXI_VERSION } from '@fluxi/common';
import {
  ContractVersion,
  create,
  ExecutorAction,
  ExecutorCommandSchema,
  ExecutorState,
  JobOutcome,
  Subjects,
  executeJobId,
} from '@fluxi/contracts';
import { encode, openExecutorRegistry, type ExecutorRegistry, type RegisteredExecutor } from '@fluxi/messaging';
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

/**
 * The executor registry as executors write it (NATS KV `fluxi-executors`): an entry from
 * start to a clean stop with who the executor is and what it runs, and drain/resume
 * commands read from the FLUXI_CONTROL stream.
 */
let servers: TestServers;
let registry: ExecutorRegistry;

beforeAll(async () => {
  servers = await startTestServers('fluxi-executor-registry-');
  registry = await openExecutorRegistry(servers.nats);
});

afterAll(async () => {
  await servers?.stop();
});

const entryOf = (id: string) => registry.get(id);

/** Waits until the executor's entry satisfies `check`, and returns it. */
const entryWhen = (id: string, what: string, check: (entry: RegisteredExecutor) => boolean) =>
  waitFor(
    async () => {
      const entry = await entryOf(id);
      return entry !== undefined && check(entry) ? entry : undefined;
    },
    { what },
  );

/** A job that runs until the test creates its flag file. */
function blockedJob(name: string) {
  const flag = join(servers.dirs.path, `${name}-${Math.random().toString(36).slice(2)}`);
  const job = executeJob({ command: 'while [ ! -e "$FLAG" ]; do sleep 0.05; done; echo done', env: { FLAG: flag } });
  return { job, release: () => writeFileSync(flag, '') };
}

async function sendCommand(executorId: string, action: ExecutorAction): Promise<void> {
  const command = create(ExecutorCommandSchema, {
    version: ContractVersion.CONTRACT_VERSION_1,
    executorId,
    action,
    requestedBy: 'test',
  });
  await servers.nats.js.publish(Subjects.executorCommand, encode(ExecutorCommandSchema, command));
}

const bullState = (test: TestExecutor, jobRunId: string) => test.queue.getJobState(executeJobId(jobRunId, 1));

describe('executor registry', () => {
  it('lists the executor from start to stop, with who it is and what it runs', async () => {
    const config = testConfig(dataDirOf(servers, 'listed'), {
      concurrency: 3,
      heartbeatSec: 0.2,
      tags: ['gpu', 'arm64'],
      name: 'runner-7',
    });
    const test = await startTestExecutor(servers, config);
    const id = test.executor.executorId;
    try {
      const idle = await entryOf(id);
      expect(idle?.info).toMatchObject({
        id,
        name: 'runner-7',
        host: hostname(),
        pid: process.pid,
        pool: 'default',
        tags: ['gpu', 'arm64'],
        drivers: ['shell'],
        buildVersion: FLUXI_VERSION,
        state: ExecutorState.IDLE,
        running: [],
        capacity: 3,
        heartbeatMs: 200,
        pausedReason: '',
      });
      expect(idle?.state).toBe(ExecutorState.IDLE);

      const { job, release } = blockedJob('listed');
      await enqueue(test.queue, job);
      const busy = await entryWhen(id, 'a BUSY heartbeat', (entry) => entry.info.state === ExecutorState.BUSY);
      expect(busy.info.running.map((attempt) => [attempt.jobRunId, attempt.attempt])).toEqual([[job.jobRunId, 1]]);
      // Heartbeats go on while the job runs.
      await entryWhen(id, 'another heartbeat', (entry) => entry.revision > busy.revision);
      release();
      await servers.collector.attempt(job.jobRunId);
      await entryWhen(id, 'an IDLE heartbeat', (entry) => entry.info.state === ExecutorState.IDLE);
    } finally {
      await test.stop();
    }
    expect(await entryOf(id)).toBeUndefined();
  });

  it('drains on command: the running job finishes, a new one waits until the resume', async () => {
    const config = testConfig(dataDirOf(servers, 'drained'), { concurrency: 4, heartbeatSec: 0.2 });
    const test = await startTestExecutor(servers, config);
    const id = test.executor.executorId;
    try {
      const first = blockedJob('first');
      await enqueue(test.queue, first.job);
      await entryWhen(id, 'the first job running', (entry) => entry.info.running.length === 1);
      await sendCommand('another-host:1', ExecutorAction.DRAIN);
      await sendCommand(id, ExecutorAction.DRAIN);
      const draining = await entryWhen(id, 'a DRAINING heartbeat', (e) => e.info.state === ExecutorState.DRAINING);
      expect(draining.info.running.map((attempt) => attempt.jobRunId)).toEqual([first.job.jobRunId]);

      const second = await enqueue(test.queue, executeJob({ command: 'echo second' }));
      first.release();
      const finished = await servers.collector.attempt(first.job.jobRunId);
      expect(finished.finished.outcome).toBe(JobOutcome.SUCCESS);
      // Drained: nothing runs, heartbeats go on, and the second job is left in the queue.
      const idle = await entryWhen(id, 'nothing running', (entry) => entry.info.running.length === 0);
      expect(idle.info.state).toBe(ExecutorState.DRAINING);
      await entryWhen(id, 'two more heartbeats', (entry) => entry.revision >= idle.revision + 2);
      expect(await bullState(test, second.jobRunId)).toBe('waiting');
      expect(servers.collector.eventsOf(second.jobRunId)).toEqual([]);

      await sendCommand(id, ExecutorAction.RESUME);
      const resumed = await servers.collector.attempt(second.jobRunId);
      expect(resumed.finished.outcome).toBe(JobOutcome.SUCCESS);
      await entryWhen(id, 'an IDLE heartbeat', (entry) => entry.info.state === ExecutorState.IDLE);
    } finally {
      await test.stop();
    }
  });

  it('resumes at once, while the drained executor still runs a job', async () => {
    const config = testConfig(dataDirOf(servers, 'resumed'), { concurrency: 2, heartbeatSec: 0.2 });
    const test = await startTestExecutor(servers, config);
    const id = test.executor.executorId;
    const first = blockedJob('resumed');
    try {
      await enqueue(test.queue, first.job);
      await entryWhen(id, 'the job running', (entry) => entry.info.running.length === 1);
      test.executor.drain();
      await entryWhen(id, 'a DRAINING heartbeat', (entry) => entry.info.state === ExecutorState.DRAINING);
      await test.executor.resume();
      expect((await entryOf(id))?.info.state).toBe(ExecutorState.BUSY);
      // The second place is used again while the first job still runs.
      const second = await enqueue(test.queue, executeJob({ command: 'echo after the resume' }));
      expect((await servers.collector.attempt(second.jobRunId)).finished.outcome).toBe(JobOutcome.SUCCESS);
      // The second one's slot is freed just after its finished event (its work folder goes first).
      await expect.poll(() => test.executor.activeJobs()).toEqual([first.job.jobRunId]);
    } finally {
      first.release();
      await test.stop();
    }
  });

  it('says at once why it takes no job while its host is under the admission thresholds', async () => {
    // No host has this much free memory; heartbeats a minute apart: the entry says so without waiting for one.
    const config = testConfig(dataDirOf(servers, 'paused'), {
      heartbeatSec: 60,
      admission: { minFreeMemoryMiB: 1_000_000_000 },
    });
    const test = await startTestExecutor(servers, config);
    const id = test.executor.executorId;
    try {
      const paused = await entryWhen(id, 'a paused reason in the entry', (entry) => entry.info.pausedReason !== '');
      expect(paused.info.pausedReason).toMatch(/^free memory \d+ MiB is under 1000000000 MiB$/);
      expect(paused.info.state).toBe(ExecutorState.IDLE);
    } finally {
      await test.stop();
    }
  });

  it('says DRAINING while a stop lets the running job finish, then leaves the registry', async () => {
    const config = testConfig(dataDirOf(servers, 'stopped'), { heartbeatSec: 0.2 });
    const test = await startTestExecutor(servers, config);
    const id = test.executor.executorId;
    const { job, release } = blockedJob('stopped');
    await enqueue(test.queue, job);
    await entryWhen(id, 'the job running', (entry) => entry.info.running.length === 1);
    const stopping = test.stop();
    await entryWhen(id, 'a DRAINING heartbeat', (entry) => entry.info.state === ExecutorState.DRAINING);
    release();
    await stopping;
    expect((await servers.collector.attempt(job.jobRunId)).finished.outcome).toBe(JobOutcome.SUCCESS);
    expect(await entryOf(id)).toBeUndefined();
  });
});
