import { join } from 'node:path';
import { silentLogger } from '@fluxi/common';
import { fromBinary, RunEventSchema, type ExecuteJob, type JobRunEvent } from '@fluxi/contracts';
import { openDatabase, type Database } from '@fluxi/db';
import { tempDir } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunEngine } from '../src/engine/run-engine.js';
import { RunStore } from '../src/store/run-store.js';
import { NatsCatalogClient } from '../src/transport/nats/catalog-client.js';
import { FakeCatalog } from './support/fake-catalog.js';
import { finishedEvent, startedEvent } from './support/fake-executor.js';
import { startInfra, type Infra } from './support/infra.js';
import { notingDatabase } from './support/noting-db.js';
import { story } from './support/run-events.js';

/**
 * The advance system applies a batch of events a run at a time: the events of one run in
 * one transaction (the run locked once), in arrival order, telling the same story as one
 * transaction per event.
 */
let infra: Infra;
let catalog: FakeCatalog;
let db: Database;
let store: RunStore;
let engine: RunEngine;
const queued: ExecuteJob[] = [];
let transactions = 0;
const statements: string[] = [];

beforeAll(async () => {
  infra = await startInfra();
  catalog = await new FakeCatalog(infra.nats.nc).start();
  db = await openDatabase({ embeddedDir: join(tempDir('fluxi-advance-batch-').path, 'db'), schema: 'scheduler' });
  const noting = notingDatabase(db, statements);
  store = new RunStore(noting);
  await store.migrate();
  const transaction = store.transaction.bind(store);
  store.transaction = (fn) => {
    transactions += 1;
    return transaction(fn);
  };
  engine = new RunEngine({
    store,
    catalog: new NatsCatalogClient(infra.nats.nc),
    queue: {
      enqueue: async (attempts) => void queued.push(...attempts.map((attempt) => attempt.job)),
      holds: async () => true,
      remove: async () => true,
    },
    executors: { cancel: async () => undefined },
    holders: { observe: async () => ({ queue: { state: 'waiting' } }) },
    logger: silentLogger(),
    now: () => new Date(),
    random: () => 0,
  });
});

afterAll(async () => {
  await db?.close();
  catalog?.stop();
  await infra?.stop();
});

/** Triggers a pipeline of three parallel jobs; its run id and queued attempts by job name. */
async function threeJobRun(): Promise<{ runId: string; jobs: Map<string, ExecuteJob> }> {
  const pipelineId = catalog.addPipeline([[{ name: 'a' }, { name: 'b' }, { name: 'c' }]]);
  const from = queued.length;
  const { id: runId } = await engine.trigger.trigger({ pipelineId }, { trigger: 'manual', triggeredBy: null });
  const mine = queued.slice(from).filter((attempt) => attempt.pipelineRunId === runId);
  const runs = await store.transaction((tx) => tx.lockRun(runId));
  const names = new Map(runs?.jobRuns.map((jobRun) => [jobRun.id, jobRun.name]));
  return { runId, jobs: new Map(mine.map((attempt) => [names.get(attempt.jobRunId) ?? '?', attempt])) };
}

/** The run's stored events as `name: KIND STATUS` lines, in seq order. */
async function storyOf(runId: string): Promise<string[]> {
  const rows = await db.query<{ data: Uint8Array }>(
    'SELECT data FROM run_events WHERE pipeline_run_id = $1 ORDER BY seq',
    [runId],
  );
  return story(rows.map((row) => ({ event: fromBinary(RunEventSchema, row.data), msgId: undefined })));
}

/** What a run's job runs ended up as, by name (times as present or not). */
async function jobRunsOf(runId: string): Promise<unknown[]> {
  return db.query(
    `SELECT name, status, attempt, exit_code, failure_class, reason, output, output_bytes,
       started_at IS NOT NULL AS started, ended_at IS NOT NULL AS ended, dispatched_attempt
     FROM job_runs WHERE pipeline_run_id = $1 ORDER BY name`,
    [runId],
  );
}

/** The contexts a run wrote, by kind and name; a pipeline context's parts that name a stored job context. */
async function contextsOf(runId: string): Promise<unknown[]> {
  return db.query(
    `SELECT kind, CASE WHEN kind = 'job' THEN name END AS name, value, size_bytes, truncated, exit_code, status,
       duration_ms IS NOT NULL AS timed,
       (SELECT count(*) FROM jsonb_array_elements(c.parts) part JOIN contexts j ON j.id = part->>'contextId')::int AS parts
     FROM contexts c WHERE pipeline_run_id = $1 ORDER BY kind, name`,
    [runId],
  );
}

/** Interleaved starts and ends of a run's three jobs, as an executor pool would report them. */
function lifecycle(jobs: Map<string, ExecuteJob>): JobRunEvent[] {
  const job = (name: string) => jobs.get(name) as ExecuteJob;
  return [
    startedEvent(job('a')),
    startedEvent(job('b')),
    finishedEvent(job('a'), 'SUCCESS'),
    startedEvent(job('c')),
    finishedEvent(job('b'), 'SUCCESS'),
    finishedEvent(job('c'), 'SUCCESS'),
  ];
}

describe('advance over a batch of events', () => {
  it("applies a run's events in one transaction and tells the same story as one transaction per event", async () => {
    const alone = await threeJobRun();
    for (const event of lifecycle(alone.jobs)) await engine.advance.apply(event);

    const batched = await threeJobRun();
    const before = transactions;
    statements.length = 0;
    const results = await engine.advance.applyAll(lifecycle(batched.jobs));
    expect(results).toEqual(Array.from({ length: 6 }, () => ({ applied: true })));
    expect(transactions - before).toBe(1);
    // Six changes of three job runs, written behind: fewer statements than changes (one per
    // change before), and the job runs end up as one transaction per event left them.
    const updates = statements.filter((sql) => /UPDATE job_runs j SET status/.test(sql));
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.length).toBeLessThanOrEqual(2);
    expect(await jobRunsOf(batched.runId)).toEqual(await jobRunsOf(alone.runId));
    // So are the contexts (three jobs', then the pipeline's): written behind too.
    expect(statements.filter((sql) => sql.startsWith('INSERT INTO contexts')).length).toBeLessThanOrEqual(2);
    expect(await contextsOf(batched.runId)).toEqual(await contextsOf(alone.runId));
    expect(await contextsOf(batched.runId)).toHaveLength(4);

    const expected = await storyOf(alone.runId);
    expect(expected.at(-1)).toBe('run: SUCCEEDED SUCCESS');
    expect(await storyOf(batched.runId)).toEqual(expected);
    const seqs = await db.query<{ seq: string | number }>(
      'SELECT seq FROM run_events WHERE pipeline_run_id = $1 ORDER BY seq',
      [batched.runId],
    );
    expect(seqs.map((row) => Number(row.seq))).toEqual(expected.map((_, index) => index + 1));
  });

  it('takes one transaction per run for interleaved runs, keeps each run in order and ignores repeats', async () => {
    const first = await threeJobRun();
    const second = await threeJobRun();
    const one = lifecycle(first.jobs);
    const two = lifecycle(second.jobs);
    const repeat = one[2] as JobRunEvent;
    const interleaved = one.flatMap((event, index) => [event, two[index] as JobRunEvent]);
    const before = transactions;
    const results = await engine.advance.applyAll([...interleaved, repeat]);
    expect(transactions - before).toBe(2);
    expect(results.slice(0, 12)).toEqual(Array.from({ length: 12 }, () => ({ applied: true })));
    expect(results[12]).toMatchObject({ applied: false });
    for (const runId of [first.runId, second.runId])
      expect((await storyOf(runId)).at(-1)).toBe('run: SUCCEEDED SUCCESS');
  });

  it('answers an event of an unknown job run as ignored and applies the others', async () => {
    const run = await threeJobRun();
    const unknown = startedEvent({ jobRunId: 'JR-unknown', pipelineRunId: run.runId, attempt: 1 });
    const results = await engine.advance.applyAll([unknown, ...lifecycle(run.jobs)]);
    expect(results[0]).toEqual({ applied: false, ignored: 'unknown job run JR-unknown' });
    expect(results.slice(1).every((result) => result.applied)).toBe(true);
    expect((await storyOf(run.runId)).at(-1)).toBe('run: SUCCEEDED SUCCESS');
  });
});
