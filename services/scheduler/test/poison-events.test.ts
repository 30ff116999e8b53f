import type { RunningService } from '@fluxi/common';
import { openDatabase, type Database } from '@fluxi/db';
import { createTestDatabase, waitFor, type TestDatabase } from '@fluxi/testkit';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../src/store/run-store.js';
import { FakeCatalog } from './support/fake-catalog.js';
import { FakeExecutor, type Finish } from './support/fake-executor.js';
import {
  attemptsOf,
  getRun,
  graphqlData,
  startInfra,
  startScheduler,
  statusesByName,
  triggerPipeline,
  waitForEventsConsumed,
  waitForRunEnd,
  type Infra,
} from './support/infra.js';

/**
 * Events the store cannot take as they are, on the real PostgreSQL server: an output
 * with NUL bytes and invalid UTF-8 (stored sanitized), and an event whose write fails
 * every time (dead-lettered after scheduler.maxDeliveries, its job run FAILED).
 */
const MAX_DELIVERIES = 3;
/** In the poison job's output: must never reach a log line, a dead letter or a reason. */
const SECRET = 'POISON-OUTPUT-d41d8cd9';

let infra: Infra;
let catalog: FakeCatalog;
let executor: FakeExecutor;
let testDb: TestDatabase;
let db: Database;
let store: RunStore;
let scheduler: RunningService | undefined;
const logLines: string[] = [];
// A plain pino logger: its default error serializer writes every field of an error
// (a PGlite error's parameters, a PostgreSQL error's detail), so what the scheduler logs is seen as is.
const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

const start = () =>
  startScheduler(infra, {
    databaseUrl: testDb.url,
    logger,
    flags: { 'scheduler.maxDeliveries': MAX_DELIVERIES },
  });

beforeAll(async () => {
  testDb = await createTestDatabase('fluxi_scheduler_poison');
  infra = await startInfra();
  catalog = await new FakeCatalog(infra.nats.nc).start();
  executor = new FakeExecutor(infra.nats, infra.redisServer.url).start();
  scheduler = await start();
  db = await openDatabase({ url: testDb.url, embeddedDir: '/nonexistent', schema: 'scheduler' });
  store = new RunStore(db);
  // A context the test marks cannot be written: the error quotes the row in its detail.
  await db.query(`
    CREATE FUNCTION scheduler.refuse_marked_context() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.value LIKE '%${SECRET}%' THEN
        RAISE EXCEPTION 'context refused by the test trigger' USING DETAIL = NEW.value;
      END IF;
      RETURN NEW;
    END $$`);
  await db.query(`CREATE TRIGGER refuse_marked_context BEFORE INSERT OR UPDATE ON scheduler.contexts
    FOR EACH ROW EXECUTE FUNCTION scheduler.refuse_marked_context()`);
});

afterAll(async () => {
  await scheduler?.stop();
  await executor?.stop();
  catalog?.stop();
  await infra?.stop();
  await db?.close();
  await testDb?.drop();
});

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(
    Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part)))),
  );

async function contextValue(name: string): Promise<string | undefined> {
  const data = await graphqlData<{ context: { value: string } | null }>(
    scheduler as RunningService,
    'query ($name: String!) { context(name: $name) { value } }',
    { name },
  );
  return data.context?.value;
}

describe('events the store cannot take as they are', () => {
  it('stores an output with NUL bytes and invalid UTF-8 sanitized, and ends the job run SUCCESS', async () => {
    const sample = bytes('before', [0x00], 'mid', [0xff, 0xfe], [0xc3], 'after', [0x00]);
    // All 256 byte values, as `head -c 100000 /dev/urandom` prints them (cut at contexts.maxBytes).
    const binary = new Uint8Array(64 * 1024).map((_, i) => (i * 7919 + (i >> 8)) % 256);
    const outputs: Record<string, Finish> = {
      'nul-sample': { outcome: 'SUCCESS', output: sample, reason: 'done\u0000' },
      'nul-binary': { outcome: 'SUCCESS', output: binary },
    };
    executor.behaviour = (job) => outputs[job.job?.name ?? ''] ?? 'SUCCESS';
    try {
      const pipelineId = catalog.addPipeline([[{ name: 'nul-sample' }, { name: 'nul-binary' }]]);
      const run = await waitForRunEnd(scheduler as RunningService, (await triggerPipeline(scheduler!, pipelineId)).id);
      expect(run.status).toBe('SUCCESS');
      expect(statusesByName(run)).toEqual({ 'nul-sample': 'SUCCESS', 'nul-binary': 'SUCCESS' });
      expect(run.jobRuns[0]?.reason).toBe('done\uFFFD');

      // NUL bytes dropped (as `$(…)` in a shell drops them), invalid sequences replaced.
      const expected = 'beforemid\uFFFD\uFFFD\uFFFDafter';
      expect(await contextValue('nul-sample')).toBe(expected);
      const stored = await store.outputsOf(run.id);
      expect(stored.find((row) => row.name === 'nul-sample')).toMatchObject({ output: expected, outputBytes: 19 });
      const binaryValue = await contextValue('nul-binary');
      expect(binaryValue?.includes('\u0000')).toBe(false);
      expect(binaryValue?.includes('\uFFFD')).toBe(true);
      expect(stored.find((row) => row.name === 'nul-binary')?.output).toBe(binaryValue);
    } finally {
      executor.behaviour = () => 'SUCCESS';
    }
  });

  it('dead-letters an event that fails every delivery, ends its job run FAILED and applies the others', async () => {
    const gates = { poison: deferred(), healthy: deferred() };
    executor.behaviour = async (job) => {
      const name = job.job?.name;
      if (name === 'dl-poison') {
        await gates.poison.promise;
        return { outcome: 'SUCCESS', output: bytes(`${SECRET} `, 'x'.repeat(2000)) };
      }
      if (name === 'dl-healthy') await gates.healthy.promise;
      return 'SUCCESS';
    };
    try {
      const poisonRun = await triggerPipeline(scheduler!, catalog.addPipeline([[{ name: 'dl-poison' }]]));
      const healthyRun = await triggerPipeline(scheduler!, catalog.addPipeline([[{ name: 'dl-healthy' }]]));
      const poisonId = poisonRun.jobRuns[0]?.id as string;
      for (const run of [poisonRun, healthyRun]) {
        await waitFor(async () => (await getRun(scheduler!, run.id)).jobRuns[0]?.status === 'RUNNING', {
          what: `${run.jobRuns[0]?.name} to run`,
        });
      }
      // Both finish while the scheduler is down: their events wait in one backlog, the poison first.
      await scheduler?.stop();
      scheduler = undefined;
      gates.poison.resolve();
      await waitFor(() => executor.inFlight === 1, { what: 'the poison event' });
      gates.healthy.resolve();
      await waitFor(() => executor.inFlight === 0, { what: 'the healthy event' });
      scheduler = await start();

      expect((await waitForRunEnd(scheduler, healthyRun.id)).status).toBe('SUCCESS');
      const ended = await waitForRunEnd(scheduler, poisonRun.id);
      const reason =
        "Fluxi could not record this job run's result: context refused by the test trigger (code P0001); see dead letters";
      expect(ended.status).toBe('FAILED');
      expect(ended.jobRuns[0]).toMatchObject({ status: 'FAILED', failureClass: 'INFRASTRUCTURE', reason, attempt: 1 });
      expect(await attemptsOf(scheduler as RunningService, poisonId)).toEqual([
        { attempt: 1, status: 'FAILED', failureClass: 'INFRASTRUCTURE', reason },
      ]);

      const letters = (await store.deadLetters.list()).filter((letter) => letter.jobRunId === poisonId);
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({
        stream: 'FLUXI_EVENTS',
        subject: `fluxi.events.jobrun.${poisonId}`,
        error: 'context refused by the test trigger (code P0001)',
        deliveries: MAX_DELIVERIES,
      });
      expect(letters[0]?.streamSeq).toBeGreaterThan(0);
      expect(letters[0]!.firstFailedAt.getTime()).toBeLessThanOrEqual(letters[0]!.lastFailedAt.getTime());

      // The consumer goes on: a later run is applied, and nothing is left pending.
      const later = await triggerPipeline(scheduler, catalog.addPipeline([[{ name: 'dl-later' }]]));
      expect((await waitForRunEnd(scheduler, later.id)).status).toBe('SUCCESS');
      await waitForEventsConsumed(infra);
      expect(await store.deadLetters.list()).toHaveLength(1);

      // The job's output is in no log line, however the failure was logged.
      expect(logLines.some((line) => line.includes('context refused by the test trigger'))).toBe(true);
      expect(logLines.filter((line) => line.includes(SECRET))).toEqual([]);
    } finally {
      gates.poison.resolve();
      gates.healthy.resolve();
      executor.behaviour = () => 'SUCCESS';
    }
  });
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
}
