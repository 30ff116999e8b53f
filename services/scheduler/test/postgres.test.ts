import type { RunningService } from '@fluxi/common';
import { openDatabase, type Database } from '@fluxi/db';
import { createTestDatabase, waitFor, type TestDatabase } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRunRecord, NewPipelineRun } from '../src/store/records.js';
import { RunStore } from '../src/store/run-store.js';
import { FakeCatalog } from './support/fake-catalog.js';
import { FakeExecutor } from './support/fake-executor.js';
import { newJobRunRecord, newRunRecord } from './support/run-records.js';
import {
  startInfra,
  startScheduler,
  statusesByName,
  triggerPipeline,
  waitForRunEnd,
  type Infra,
} from './support/infra.js';

/** The store and a whole run on the real PostgreSQL server (the other files use PGlite). */
let testDb: TestDatabase;
let db: Database;
let store: RunStore;

beforeAll(async () => {
  testDb = await createTestDatabase('fluxi_scheduler');
  db = await openDatabase({ url: testDb.url, embeddedDir: '/nonexistent', schema: 'scheduler' });
  store = new RunStore(db);
  await store.migrate();
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

function newRun(pipelineId: string, number: number): NewPipelineRun {
  return newRunRecord({
    pipelineId,
    number,
    triggeredBy: 'U1',
    triggeredByName: 'ann',
    branch: 'main',
    commitSha: 'abc123',
    snapshot: { pipelineId, stages: [{ name: 'build', entries: [{ job: { name: 'a' }, needs: [] }] }] },
    createdAt: new Date('2030-01-01T00:00:00Z'),
  });
}

function newJobRun(pipelineRunId: string): JobRunRecord {
  return newJobRunRecord(pipelineRunId, {
    jobId: 'J1',
    spec: { name: 'a', command: 'true', env: { A: '1' } },
    needs: ['x', 'y'],
    allowFailure: true,
    maxAttempts: 2,
    status: 'QUEUED',
    exitCode: null,
  });
}

describe('the run store on PostgreSQL', () => {
  it('applies its migrations once', async () => {
    await store.migrate();
    const applied = await db.query<{ id: string }>('SELECT id FROM migrations');
    expect(applied.map((row) => row.id)).toEqual([
      '001_runs',
      '002_pipelines_in_depth',
      '003_dead_letters',
      '004_pools_and_limits',
      '005_run_events_and_retention',
      '006_trigger_provenance',
      '007_webhook_deliveries',
      '008_schedule_history',
      '009_gitlab_waits',
      '010_notifications',
      '011_trace_context',
    ]);
  });

  it('hands out run numbers 1, 2, 3… under concurrent transactions', async () => {
    const numbers = await Promise.all(
      Array.from({ length: 10 }, () => store.transaction((tx) => tx.nextNumber({ pipelineId: 'P-concurrent' }))),
    );
    expect(numbers.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await store.transaction((tx) => tx.nextNumber({ jobId: 'P-concurrent' }))).toBe(1);
  });

  it('refuses two runs of a pipeline with the same number', async () => {
    await store.transaction((tx) => tx.insertRun(newRun('P-unique', 1)));
    await expect(store.transaction((tx) => tx.insertRun(newRun('P-unique', 1)))).rejects.toThrow(
      /pipeline_runs_pipeline_number/,
    );
  });

  it('round-trips runs, job runs and the JSON snapshot', async () => {
    const run = newRun('P-roundtrip', 1);
    const jobRun = newJobRun(run.id);
    await store.transaction(async (tx) => {
      await tx.insertRun(run);
      await tx.insertJobRuns([jobRun]);
    });
    const { snapshot, ...record } = run;
    // No retention in the snapshot: the installation's default applies; no key, no provenance.
    expect(await store.getRun(run.id)).toEqual({
      ...record,
      logRetentionDays: null,
      idempotencyKey: null,
      provenance: null,
    });
    expect(await store.getSnapshot(run.id)).toEqual(snapshot);
    expect(await store.jobRunsOf([run.id])).toEqual([jobRun]);
    // QUEUED, and listed for the queue's recovery once handed over to the executors.
    expect((await store.listQueued()).map((j) => j.id)).not.toContain(jobRun.id);
    expect(await store.dispatch.markDispatched([{ id: jobRun.id, attempt: jobRun.attempt }])).toEqual([jobRun.id]);
    expect((await store.listQueued()).map((j) => j.id)).toContain(jobRun.id);

    const ended = new Date('2030-01-01T00:01:00Z');
    await store.transaction(async (tx) => {
      const locked = await tx.lockRun(run.id);
      expect(locked?.jobRuns).toEqual([jobRun]);
      expect(await tx.pipelineNameOf(run.id)).toBeNull();
      await tx.updateJobRun({
        id: jobRun.id,
        status: 'FAILED',
        attempt: 2,
        notBefore: null,
        exitCode: -1,
        failureClass: 'TIMEOUT',
        reason: 'timed out',
        startedAt: ended,
        endedAt: ended,
      });
      await tx.updateRun({ id: run.id, status: 'FAILED', reason: 'timed out', startedAt: ended, endedAt: ended });
    });
    expect(await store.getJobRun(jobRun.id)).toMatchObject({
      status: 'FAILED',
      attempt: 2,
      exitCode: -1,
      failureClass: 'TIMEOUT',
      endedAt: ended,
    });
    expect(await store.getRun(run.id)).toMatchObject({ status: 'FAILED', endedAt: ended });
    expect(await store.jobRunRef(jobRun.id)).toEqual({ id: jobRun.id, pipelineRunId: run.id, attempt: 2 });
    expect(await store.jobRunRef('JR-none')).toBeUndefined();
    expect((await store.listQueued()).map((j) => j.id)).not.toContain(jobRun.id);
  });

  it('runs a deadlock victim again: run and group locked in opposite orders both commit', async () => {
    const run = newRun('P-deadlock', 1);
    await store.transaction((tx) => tx.insertRun(run));
    const calls = { runFirst: 0, groupFirst: 0 };
    let bothHoldOne!: () => void;
    let held = 0;
    const ready = new Promise<void>((resolve) => (bothHoldOne = resolve));
    const holdOne = async () => {
      held += 1;
      if (held === 2) bothHoldOne();
      // Only the first round waits for the other: a retried transaction goes straight on.
      if (held <= 2) await ready;
    };
    const runFirst = store.transaction(async (tx) => {
      calls.runFirst += 1;
      await tx.lockRun(run.id);
      await holdOne();
      await tx.lockGroup('deadlock-group');
    });
    const groupFirst = store.transaction(async (tx) => {
      calls.groupFirst += 1;
      await tx.lockGroup('deadlock-group');
      await holdOne();
      await tx.lockRun(run.id);
    });
    await Promise.all([runFirst, groupFirst]);
    // PostgreSQL aborted one of them as the deadlock victim; it ran a second time.
    expect(calls.runFirst + calls.groupFirst).toBe(3);
  });

  it('makes a second transaction wait for the run lock', async () => {
    const run = newRun('P-lock', 1);
    await store.transaction((tx) => tx.insertRun(run));
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let firstLocked!: () => void;
    const locked = new Promise<void>((resolve) => (firstLocked = resolve));
    const first = store.transaction(async (tx) => {
      await tx.lockRun(run.id);
      order.push('first locked');
      firstLocked();
      await held;
      order.push('first commits');
    });
    await locked;
    const second = store.transaction(async (tx) => {
      await tx.lockRun(run.id);
      order.push('second locked');
    });
    // Once PostgreSQL shows the second transaction waiting for a lock, let the first commit.
    await waitFor(
      async () => {
        const waiting = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        return (waiting[0]?.n ?? 0) > 0;
      },
      { what: 'second transaction to wait' },
    );
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first locked', 'first commits', 'second locked']);
  });
});

describe('the scheduler on PostgreSQL', () => {
  let infra: Infra;
  let catalog: FakeCatalog;
  let executor: FakeExecutor;
  let scheduler: RunningService;

  beforeAll(async () => {
    infra = await startInfra();
    catalog = await new FakeCatalog(infra.nats.nc).start();
    executor = new FakeExecutor(infra.nats, infra.redisServer.url).start();
    scheduler = await startScheduler(infra, { databaseUrl: testDb.url });
  });

  afterAll(async () => {
    await scheduler?.stop();
    await executor?.stop();
    catalog?.stop();
    await infra?.stop();
  });

  it('runs concurrently triggered runs to the end, numbered 1…n', async () => {
    const pipelineId = catalog.addPipeline([
      [{ name: 'pg-a' }, { name: 'pg-b', maxAttempts: 2 }],
      [{ name: 'pg-c', needs: ['pg-a'] }],
    ]);
    executor.behaviour = (job) => (job.job?.name === 'pg-b' && job.attempt === 1 ? 'FAILED' : 'SUCCESS');
    const runs = await Promise.all(Array.from({ length: 5 }, () => triggerPipeline(scheduler, pipelineId)));
    expect(runs.map((run) => run.number).sort()).toEqual([1, 2, 3, 4, 5]);
    for (const created of runs) {
      const run = await waitForRunEnd(scheduler, created.id);
      expect(run.status).toBe('SUCCESS');
      expect(statusesByName(run)).toEqual({ 'pg-a': 'SUCCESS', 'pg-b': 'SUCCESS', 'pg-c': 'SUCCESS' });
      expect(run.jobRuns[1]?.attempt).toBe(2);
    }
    const rows = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM scheduler.pipeline_runs WHERE pipeline_id = $1',
      [pipelineId],
    );
    expect(rows[0]?.n).toBe(5);
  });
});
