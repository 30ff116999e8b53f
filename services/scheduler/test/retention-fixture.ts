import { join } from 'node:path';
import { openDatabase, type Database } from '@fluxi/db';
import { createTestDatabase, tempDir, type TestDatabase } from '@fluxi/testkit';
import { afterAll, beforeAll } from 'vitest';
import { RunStore } from '../src/store/run-store.js';

/** What the run retention tests share: a fixed now, and the scheduler's run store on PGlite and PostgreSQL. */

export const DAY = 86_400_000;
export const now = new Date();
export const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);

/** A run made by a test, and its one job run. */
export interface Made {
  runId: string;
  jobRunId: string;
}

/** The scheduler's database on one engine; `db` and `store` are filled in before the first test. */
export interface Engine {
  name: 'PGlite' | 'PostgreSQL';
  db?: Database;
  store?: RunStore;
}

export interface RetentionDatabases {
  engines: Engine[];
  /** The PostgreSQL database the PostgreSQL engine opens. */
  testDb: TestDatabase;
}

/**
 * Opens the scheduler's schema, migrated, on each engine named (PostgreSQL on a fresh database)
 * before the file's tests, and closes them after.
 */
export function openRetentionDatabases(names: Engine['name'][]): RetentionDatabases {
  const databases = { engines: names.map((name): Engine => ({ name })) } as RetentionDatabases;
  const { engines } = databases;

  beforeAll(async () => {
    databases.testDb = await createTestDatabase('fluxi_retention');
    const { testDb } = databases;
    for (const engine of engines) {
      engine.db = await openDatabase({
        url: engine.name === 'PostgreSQL' ? testDb.url : undefined,
        embeddedDir: join(tempDir('fluxi-retention-').path, 'db'),
        schema: 'scheduler',
      });
      engine.store = new RunStore(engine.db);
      await engine.store.migrate();
    }
  });

  afterAll(async () => {
    for (const engine of engines) await engine.db?.close();
    await databases.testDb?.drop();
  });

  return databases;
}
