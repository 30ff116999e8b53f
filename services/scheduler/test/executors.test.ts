import { silentLogger, type RunningService } from '@fluxi/common';
import {
  create,
  ExecuteJobSchema,
  ExecutorAction,
  ExecutorCommandSchema,
  ExecutorInfoSchema,
  ExecutorState,
  executeQueueName,
  fromJson,
  RunningAttemptSchema,
  Streams,
  Subjects,
  type ExecutorInfo,
} from '@fluxi/contracts';
import {
  createRedisClient,
  decode,
  followStream,
  openExecutorRegistry,
  type ExecutorRegistry,
  type StreamFollower,
} from '@fluxi/messaging';
import type { Principal } from '@fluxi/graphql';
import { waitFor } from '@fluxi/testkit';
import { Worker, type IRedisClient, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCatalog } from './support/fake-catalog.js';
import { FakeExecutor, finishedEvent, startedEvent } from './support/fake-executor.js';
import {
  attemptsOf,
  getRun,
  graphql,
  READER,
  startInfra,
  startScheduler,
  triggerPipeline,
  waitForRunEnd,
  WRITER,
  type Infra,
} from './support/infra.js';

/**
 * The executor registry seen from the scheduler: the `executors` query, drain/resume
 * sent to the executor and confirmed by its heartbeat, and an active attempt whose
 * executor stops beating ended lost and retried. Executors are played by the test:
 * registry entries it puts, and a BullMQ worker of its own.
 */
let infra: Infra;
let catalog: FakeCatalog;
let scheduler: RunningService;
let registry: ExecutorRegistry;
const beats: NodeJS.Timeout[] = [];

const ADMIN: Principal = { ...WRITER, userName: 'admin', role: 'admin' };

beforeAll(async () => {
  infra = await startInfra();
  catalog = await new FakeCatalog(infra.nats.nc).start();
  scheduler = await startScheduler(infra, { flags: { 'scheduler.reconcileIntervalSec': 0.2 } });
  registry = await openExecutorRegistry(infra.nats);
});

afterAll(async () => {
  for (const beat of beats) clearInterval(beat);
  await scheduler?.stop();
  catalog?.stop();
  await infra?.stop();
});

const entry = (id: string, fields: Omit<Partial<ExecutorInfo>, '$typeName' | '$unknown'> = {}): ExecutorInfo =>
  create(ExecutorInfoSchema, {
    id,
    name: 'runner',
    host: 'runner-host',
    pid: 7,
    pool: 'default',
    tags: ['gpu'],
    drivers: ['shell'],
    buildVersion: 'test',
    state: ExecutorState.IDLE,
    capacity: 2,
    heartbeatMs: 100,
    lastHeartbeatMs: BigInt(Date.now()),
    startedAtMs: BigInt(Date.now()),
    ...fields,
  });

/** Puts the entry now and every 50 ms (`current()` decides what it says) until the returned stop. */
async function beat(current: () => ExecutorInfo): Promise<() => void> {
  await registry.put(current());
  const timer = setInterval(() => void registry.put({ ...current(), lastHeartbeatMs: BigInt(Date.now()) }), 50);
  beats.push(timer);
  return () => clearInterval(timer);
}

interface ExecutorView {
  id: string;
  state: string;
  tags: string[];
  running: { jobRunId: string; attempt: number; jobRun: { id: string } | null }[];
  lastHeartbeatAt: string;
  heartbeatSec: number;
}
const FIELDS = 'id state tags running { jobRunId attempt jobRun { id } } lastHeartbeatAt heartbeatSec';

async function listed(id: string): Promise<ExecutorView | undefined> {
  const result = await graphql<{ executors: ExecutorView[] }>(scheduler, `{ executors { ${FIELDS} } }`, {}, READER);
  if (result.errors !== undefined) throw new Error(JSON.stringify(result.errors));
  return result.data?.executors.find((executor) => executor.id === id);
}

const command = (mutation: 'drainExecutor' | 'resumeExecutor', id: string, principal = ADMIN) =>
  graphql<Record<string, ExecutorView>>(
    scheduler,
    `mutation ($id: ID!) { ${mutation}(id: $id) { ${FIELDS} } }`,
    { id },
    principal,
  );

describe('executors', () => {
  it('lists what the registry holds, and LOST once an executor is silent for two heartbeats', async () => {
    const id = 'runner-host:11';
    const stop = await beat(() =>
      entry(id, {
        running: [create(RunningAttemptSchema, { jobRunId: 'JR-unknown', attempt: 2, startedAtMs: 1n })],
        state: ExecutorState.BUSY,
      }),
    );
    const busy = await waitFor(() => listed(id), { what: 'the executor listed' });
    expect(busy).toMatchObject({
      state: 'BUSY',
      tags: ['gpu'],
      running: [{ jobRunId: 'JR-unknown', attempt: 2, jobRun: null }],
      heartbeatSec: 0.1,
    });
    expect(Number.isNaN(Date.parse(busy.lastHeartbeatAt))).toBe(false);
    stop();
    await waitFor(async () => (await listed(id))?.state === 'LOST', { what: 'the executor to be LOST' });
    const anonymous = await graphql(scheduler, '{ executors { id } }', {}, null);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('drains and resumes an executor, returning once its heartbeat says so; admins only', async () => {
    const id = 'runner-host:12';
    let state = ExecutorState.IDLE;
    const stop = await beat(() => entry(id, { state }));
    // The executor's side: it applies the commands naming it (transport/command-listener.ts).
    const follower: StreamFollower = await followStream(
      infra.nats,
      Streams.control.name,
      (message) => {
        if (message.subject !== Subjects.executorCommand) return;
        const received = decode(ExecutorCommandSchema, message.data);
        if (received.executorId !== id) return;
        state = received.action === ExecutorAction.DRAIN ? ExecutorState.DRAINING : ExecutorState.IDLE;
      },
      silentLogger(),
    );
    try {
      await waitFor(() => listed(id), { what: 'the executor listed' });
      const forbidden = await command('drainExecutor', id, WRITER);
      expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(state).toBe(ExecutorState.IDLE);

      const drained = await command('drainExecutor', id);
      expect(drained.errors).toBeUndefined();
      expect(drained.data?.drainExecutor?.state).toBe('DRAINING');
      const resumed = await command('resumeExecutor', id);
      expect(resumed.data?.resumeExecutor?.state).toBe('IDLE');

      const unknown = await command('drainExecutor', 'nobody:1');
      expect(unknown.errors?.[0]).toMatchObject({
        message: 'executor nobody:1 does not exist',
        extensions: { code: 'NOT_FOUND' },
      });
      stop();
      await waitFor(async () => (await listed(id))?.state === 'LOST', { what: 'the executor to be LOST' });
      const lost = await command('drainExecutor', id);
      expect(lost.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(lost.errors?.[0]?.message).toMatch(
        /^executor runner-host:12 is lost \(no heartbeat since .+\): it cannot be drained$/,
      );
    } finally {
      stop();
      await follower.stop();
    }
  });

  it('ends an active attempt whose executor stops beating, without waiting for BullMQ, and retries it', async () => {
    const id = 'ghost-host:13';
    const stopBeats = await beat(() => entry(id, { state: ExecutorState.BUSY }));
    // Publishes as a real executor does, with the executor id in `started`.
    const events = new FakeExecutor(infra.nats, infra.redisServer.url);
    const connection: IRedisClient = createRedisClient(infra.redisServer.url);
    let hang: () => void = () => undefined;
    const hanging = new Promise<void>((resolve) => (hang = resolve));
    const worker = new Worker(
      executeQueueName('default'),
      async (job: Job) => {
        const execute = fromJson(ExecuteJobSchema, (job.data as { payload: Parameters<typeof fromJson>[1] }).payload);
        const started = startedEvent(execute);
        if (started.kind.case === 'started') started.kind.value.executorId = execute.attempt === 1 ? id : 'other:1';
        await events.publish(started);
        // Attempt 1 runs until the executor "dies" (its heartbeats stop); attempt 2 succeeds.
        if (execute.attempt === 1) return hanging;
        await events.publish(finishedEvent(execute, 'SUCCESS'));
      },
      { connection, prefix: 'fluxi', concurrency: 2, name: id },
    );
    try {
      const pipelineId = catalog.addPipeline([[{ name: 'ghost', maxAttempts: 2 }]]);
      const run = await triggerPipeline(scheduler, pipelineId);
      await waitFor(async () => (await getRun(scheduler, run.id)).jobRuns[0]?.status === 'RUNNING', {
        what: 'the job run RUNNING',
      });
      // Held while it beats: several heartbeat periods and reconciliation passes later, still RUNNING.
      const before = (await registry.get(id))?.revision ?? 0;
      await waitFor(async () => ((await registry.get(id))?.revision ?? 0) >= before + 20, { what: '20 heartbeats' });
      expect((await getRun(scheduler, run.id)).jobRuns[0]?.attempt).toBe(1);

      stopBeats();
      const ended = await waitForRunEnd(scheduler, run.id);
      expect(ended.status).toBe('SUCCESS');
      const attempts = await attemptsOf(scheduler, ended.jobRuns[0]!.id);
      expect(attempts.map((a) => [a.attempt, a.status, a.failureClass])).toEqual([
        [1, 'FAILED', 'INFRASTRUCTURE'],
        [2, 'SUCCESS', null],
      ]);
      expect(attempts[0]?.reason).toMatch(/^executor lost: no heartbeat from ghost-host:13 since \d{4}-\d\d-\d\dT/);
    } finally {
      stopBeats();
      hang();
      await worker.close(true);
      await connection.quit();
    }
  });
});
