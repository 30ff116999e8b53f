import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '@fluxi/db';
import { tempDir, waitFor } from '@fluxi/testkit';
import { describe, expect, it } from 'vitest';
import type { RunStore } from '../src/store/run-store.js';
import { daysAgo, openRetentionDatabases, type Made } from './retention-fixture.js';
import { startInfra, startScheduler } from './support/infra.js';
import { newJobRunRecord, newRunRecord } from './support/run-records.js';

/**
 * The scheduler's run retention on PostgreSQL: a pass at start with its configured default. What a
 * pass deletes and keeps, on both engines: retention-pass.test.ts.
 */

const databases = openRetentionDatabases(['PostgreSQL']);
const { engines } = databases;

describe('the scheduler', () => {
  it('runs a retention pass at start with its configured default, deleting artifacts in artifacts.dir', async () => {
    const infra = await startInfra();
    const pg = engines.find((engine) => engine.name === 'PostgreSQL') as { db: Database; store: RunStore };
    const folder = tempDir('fluxi-retention-scheduler-').path;
    const old = await insertEndedRun(pg.store, daysAgo(8));
    const recent = await insertEndedRun(pg.store, daysAgo(6));
    mkdirSync(join(folder, old.jobRunId), { recursive: true });
    writeFileSync(join(folder, old.jobRunId, 'out.txt'), 'x');
    const scheduler = await startScheduler(infra, {
      databaseUrl: databases.testDb.url,
      flags: { 'scheduler.runRetentionDays': 7, 'artifacts.dir': folder },
    });
    try {
      await waitFor(async () => (await pg.store.getRun(old.runId)) === undefined || undefined, {
        what: 'the old run to be deleted',
      });
      expect(await pg.store.getRun(recent.runId)).toBeDefined();
      await waitFor(() => !existsSync(join(folder, old.jobRunId)) || undefined, { what: 'its artifacts to go' });
    } finally {
      await scheduler.stop();
      await infra.stop();
    }
  });
});

/** A SUCCESS run of one job run that ended at `endedAt`. */
async function insertEndedRun(store: RunStore, endedAt: Date): Promise<Made> {
  const run = newRunRecord({ status: 'SUCCESS', createdAt: endedAt, startedAt: endedAt, endedAt });
  const jobRun = newJobRunRecord(run.id, { startedAt: endedAt, endedAt });
  await store.transaction(async (tx) => {
    await tx.insertRun(run);
    await tx.insertJobRuns([jobRun]);
  });
  return { runId: run.id, jobRunId: jobRun.id };
}
