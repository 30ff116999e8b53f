import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { silentLogger } from '@fluxi/common';
import {
  JobRunEventSchema,
  Streams,
  Subjects,
  executeJobId,
  executeQueueName,
  type JobRunEvent,
} from '@fluxi/contracts';
import { connectNats, createRedisClient, decode } from '@fluxi/messaging';
import { processAlive, processesWith, waitFor } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLineView } from '../e2e/fluxi-api.js';
import { numberedLines, startChaosFluxi, type ChaosFluxi } from './harness.js';

/**
 * Executors as an operator sees them (`executors`, `drainExecutor`, `resumeExecutor`) in
 * Fluxi started as `npm start` would: the executor is a child process of the launcher,
 * which starts it again when it dies. Heartbeats every 0.5 s, reconciliation every 0.5 s.
 */
let fluxi: ChaosFluxi;

beforeAll(async () => {
  fluxi = await startChaosFluxi({
    'executor.heartbeatSec': 0.5,
    'executor.concurrency': 2,
    'executor.shutdownGraceSec': 60,
    'scheduler.reconcileIntervalSec': 0.5,
  });
});

afterAll(async () => {
  await fluxi?.stop();
});

interface ExecutorView {
  id: string;
  pid: number;
  pool: string;
  drivers: string[];
  state: string;
  capacity: number;
  running: { jobRunId: string; attempt: number; jobRun: { name: string } | null }[];
}

const EXECUTOR_FIELDS = 'id pid pool drivers state capacity running { jobRunId attempt jobRun { name } }';

async function executors(): Promise<ExecutorView[]> {
  const data = await fluxi.api.gql.request<{ executors: ExecutorView[] }>(`{ executors { ${EXECUTOR_FIELDS} } }`);
  return data.executors;
}

async function executorCommand(mutation: 'drainExecutor' | 'resumeExecutor', id: string): Promise<ExecutorView> {
  const data = await fluxi.api.gql.request<Record<string, ExecutorView>>(
    `mutation ($id: ID!) { ${mutation}(id: $id) { ${EXECUTOR_FIELDS} } }`,
    { id },
  );
  return data[mutation] as ExecutorView;
}

/** The executor process running now (the launcher starts a new one after each death). */
function liveExecutor(): Promise<ExecutorView> {
  return waitFor(async () => (await executors()).find((e) => e.state !== 'LOST' && processAlive(e.pid)), {
    what: 'a live executor',
    timeoutMs: 60_000,
  });
}

/** Every event of a job run on the events stream, in order. */
async function eventsOf(jobRunId: string): Promise<JobRunEvent[]> {
  const nats = await connectNats(fluxi.system.natsUrl, 'chaos-executors-events', silentLogger());
  try {
    const consumer = await nats.js.consumers.get(Streams.events.name, {
      filter_subjects: Subjects.jobRunEvent(jobRunId),
    });
    const events: JobRunEvent[] = [];
    let pending = (await consumer.info()).num_pending;
    while (pending > 0) {
      const message = await consumer.next({ expires: 5000 });
      if (message === null) break;
      events.push(decode(JobRunEventSchema, message.data));
      pending = message.info.pending;
    }
    return events;
  } finally {
    await nats.close();
  }
}

const startedOf = (events: JobRunEvent[]) =>
  events.filter((event) => event.kind.case === 'started').map((event) => event.attempt);

/** A job that runs until the test creates its flag file. */
function flagged(name: string): { command: string; release: () => void } {
  const flag = join(fluxi.dir.path, `flag-${name}`);
  return {
    command: `echo waiting; while [ ! -e ${flag} ]; do sleep 0.05; done; echo released`,
    release: () => writeFileSync(flag, ''),
  };
}

describe('chaos: executors', () => {
  it('lists the executor, drains it (a new job waits QUEUED) and resumes it', async () => {
    const executor = await liveExecutor();
    expect(executor).toMatchObject({ pool: 'default', state: 'IDLE', capacity: 2, running: [] });
    expect(executor.drivers).toContain('shell');

    const first = flagged('drain-first');
    const firstRun = await fluxi.api.triggerJob(
      await fluxi.api.createJob({ name: 'drain-first', command: first.command }),
    );
    await fluxi.api.jobRunIn(firstRun, 'drain-first', 'RUNNING');
    const drained = await executorCommand('drainExecutor', executor.id);
    expect(drained.state).toBe('DRAINING');
    expect(drained.running.map((attempt) => attempt.jobRun?.name)).toEqual(['drain-first']);

    const secondRun = await fluxi.api.triggerJob(
      await fluxi.api.createJob({ name: 'drain-second', command: 'echo second' }),
    );
    first.release();
    expect((await fluxi.api.ended(firstRun)).status).toBe('SUCCESS');
    // Drained: the free place was not used, the second job is still QUEUED once the first ended.
    await waitFor(async () => (await executors()).find((e) => e.id === executor.id)?.running.length === 0, {
      what: 'the executor to run nothing',
    });
    expect((await fluxi.api.run(secondRun)).jobRuns[0]?.status).toBe('QUEUED');

    const resumed = await executorCommand('resumeExecutor', executor.id);
    expect(resumed.state).not.toBe('DRAINING');
    expect((await fluxi.api.ended(secondRun)).status).toBe('SUCCESS');
  });

  it('retries a job whose executor was SIGKILLed as a new attempt: logs not merged, never run twice', async () => {
    const executor = await liveExecutor();
    const lines = 40;
    const jobId = await fluxi.api.createJob({
      name: 'killed-mid-job',
      command: numberedLines(lines, 100),
      maxAttempts: 2,
      retry: { on: ['INFRASTRUCTURE'] },
    });
    const runId = await fluxi.api.triggerJob(jobId);
    const jobRun = await fluxi.api.jobRunIn(runId, 'killed-mid-job', 'RUNNING');
    await fluxi.api.logs(jobRun.id, (seen) => seen.length >= 3, 1);
    process.kill(executor.pid, 'SIGKILL');

    // Lost by its heartbeats, long before BullMQ's 30 s lock could expire.
    const lostAttempt = await waitFor(
      async () => {
        const attempt = (await fluxi.api.run(runId)).jobRuns[0]?.attempts.find((a) => a.attempt === 1);
        return attempt?.status === 'FAILED' ? attempt : undefined;
      },
      { what: 'attempt 1 to be ended lost', timeoutMs: 30_000 },
    );
    expect(lostAttempt.failureClass).toBe('INFRASTRUCTURE');
    const id = executor.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(lostAttempt.reason).toMatch(new RegExp(`^executor lost: no heartbeat from ${id} since \\d{4}-`));
    expect((await executors()).find((e) => e.id === executor.id)?.state).toBe('LOST');

    const run = await fluxi.api.ended(runId, 90_000);
    expect(run.status).toBe('SUCCESS');
    expect(run.jobRuns[0]?.attempts.map((a) => [a.attempt, a.status, a.failureClass])).toEqual([
      [1, 'FAILED', 'INFRASTRUCTURE'],
      [2, 'SUCCESS', null],
    ]);
    const expected = Array.from({ length: lines }, (_, i) => `line ${i + 1}`);
    const seqsAndTexts = (view: LogLineView[]) => view.map((line) => [line.seq, line.text]);
    await fluxi.api.logs(jobRun.id, (seen) => seen.length >= lines, 2);
    const second = await fluxi.api.logLines(jobRun.id, 2);
    expect(seqsAndTexts(second)).toEqual(expected.map((text, i) => [i + 1, text]));

    // BullMQ fails the killed attempt's job once its lock expired, instead of running it again.
    const connection = createRedisClient(fluxi.system.redisUrl);
    const queue = new Queue(executeQueueName('default'), { connection, prefix: 'fluxi' });
    try {
      const job = await waitFor(
        async () => {
          const found = await queue.getJob(executeJobId(jobRun.id, 1));
          return found !== undefined && (await found.getState()) === 'failed' ? found : undefined;
        },
        { what: "BullMQ to fail the killed attempt's job", timeoutMs: 90_000, intervalMs: 500 },
      );
      expect(job.failedReason).toBe('job stalled more than allowable limit');
    } finally {
      await queue.close();
      await connection.quit();
    }
    // Attempt 1 was started once and its log is the part it wrote before the kill.
    expect(startedOf(await eventsOf(jobRun.id))).toEqual([1, 2]);
    const first = await fluxi.api.logLines(jobRun.id, 1);
    expect(first.length).toBeGreaterThanOrEqual(3);
    expect(first.length).toBeLessThan(lines);
    expect(seqsAndTexts(first)).toEqual(expected.slice(0, first.length).map((text, i) => [i + 1, text]));
  }, 240_000);

  it('leaves no process of a shell job whose executor was SIGKILLed', async () => {
    const executor = await liveExecutor();
    const marker = `fluxi-chaos-guard-${Date.now()}`;
    const runId = await fluxi.api.triggerJob(
      await fluxi.api.createJob({ name: 'orphan-candidate', command: `sleep 300; echo ${marker}` }),
    );
    await fluxi.api.jobRunIn(runId, 'orphan-candidate', 'RUNNING');
    const [jobPid] = await waitFor(() => processesWith(marker).length > 0 && processesWith(marker), {
      what: 'the job process',
    });
    process.kill(executor.pid, 'SIGKILL');
    // The guard of its process group (a pipe from the executor closes) stops the job.
    await waitFor(() => processesWith(marker).length === 0 && !processAlive(jobPid as number), {
      what: 'the job processes to end with their executor',
      timeoutMs: 30_000,
    });
    const run = await fluxi.api.ended(runId, 90_000);
    expect(run.jobRuns[0]).toMatchObject({ status: 'FAILED', failureClass: 'INFRASTRUCTURE' });
  }, 180_000);

  it('stops on SIGTERM once the running job finished, leaving the registry', async () => {
    const executor = await liveExecutor();
    const job = flagged('sigterm');
    const runId = await fluxi.api.triggerJob(await fluxi.api.createJob({ name: 'sigterm', command: job.command }));
    await fluxi.api.jobRunIn(runId, 'sigterm', 'RUNNING');
    process.kill(executor.pid, 'SIGTERM');
    await waitFor(async () => (await executors()).find((e) => e.id === executor.id)?.state === 'DRAINING', {
      what: 'the executor to say DRAINING',
    });
    expect(processAlive(executor.pid)).toBe(true);
    job.release();
    const run = await fluxi.api.ended(runId);
    expect(run.jobRuns[0]).toMatchObject({ status: 'SUCCESS', attempt: 1 });
    expect(await fluxi.api.logs(run.jobRuns[0]!.id, (seen) => seen.includes('released'))).toEqual([
      'waiting',
      'released',
    ]);
    // A clean stop removes its entry: it is not listed, not even as lost.
    await waitFor(async () => !processAlive(executor.pid) && !(await executors()).some((e) => e.id === executor.id), {
      what: 'the executor to exit and leave the registry',
    });
  });
});
