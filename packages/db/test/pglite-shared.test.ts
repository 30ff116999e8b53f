import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedDatabaseDir, migrate, openDatabase, type Database } from '../src/index.js';

const folders: string[] = [];
const folder = () => {
  const made = mkdtempSync(join(tmpdir(), 'fluxi-shared-pglite-'));
  folders.push(made);
  return made;
};

afterAll(() => {
  for (const made of folders) rmSync(made, { recursive: true, force: true });
});

const names = async (db: Database) =>
  (await db.query<{ name: string }>('SELECT name FROM things ORDER BY n')).map((row) => row.name);

describe('one embedded database, a schema per service (real PGlite)', () => {
  it('keeps each handle in its own schema while their statements and transactions interleave', async () => {
    const dir = join(folder(), 'db', 'shared');
    const [a, b] = await Promise.all([
      openDatabase({ embeddedDir: dir, schema: 'alpha' }),
      openDatabase({ embeddedDir: dir, schema: 'beta' }),
    ]);
    const table = { id: '001_things', sql: 'CREATE TABLE things (n serial PRIMARY KEY, name text NOT NULL);' };
    // The same table names (`migrations`, `things`) in both schemas.
    expect(await migrate(a, [table])).toEqual(['001_things']);
    expect(await migrate(b, [table])).toEqual(['001_things']);

    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      work.push(a.query('INSERT INTO things (name) VALUES ($1)', [`a${i}`]));
      work.push(
        b.transaction(async (tx) => {
          await tx.query('INSERT INTO things (name) VALUES ($1)', [`b${i}`]);
          await tx.query('INSERT INTO things (name) VALUES ($1)', [`b${i}'`]);
        }),
      );
      // A transaction that fails leaves nothing behind and the other schema undisturbed.
      work.push(
        a
          .transaction(async (tx) => {
            await tx.query("INSERT INTO things (name) VALUES ('never')");
            await tx.query('SELECT * FROM no_such_table');
          })
          .catch(() => 'failed'),
      );
    }
    await Promise.all(work);
    expect(await names(a)).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`));
    expect(await names(b)).toEqual(Array.from({ length: 20 }, (_, i) => [`b${i}`, `b${i}'`]).flat());

    // One closed, the other goes on; both closed, the folder opens again with both schemas' rows.
    await a.close();
    expect((await names(b)).length).toBe(40);
    await b.close();
    const again = await openDatabase({ embeddedDir: dir, schema: 'alpha' });
    try {
      expect((await names(again)).length).toBe(20);
      expect((await again.query<{ c: number }>('SELECT count(*)::int AS c FROM beta.things'))[0]?.c).toBe(40);
    } finally {
      await again.close();
    }
  });
});

describe('opening a folder while its instance closes', () => {
  it('waits for the old instance to shut, then opens the folder again', async () => {
    const dir = join(folder(), 'db', 'shared');
    const first = await openDatabase({ embeddedDir: dir, schema: 'alpha' });
    await first.query('CREATE TABLE t (v text)');
    await first.query("INSERT INTO t VALUES ('kept')");
    const closing = first.close();
    const again = await openDatabase({ embeddedDir: dir, schema: 'alpha' });
    try {
      await closing;
      expect(await again.query('SELECT v FROM t')).toEqual([{ v: 'kept' }]);
      await again.query("INSERT INTO t VALUES ('after')");
    } finally {
      await again.close();
    }
    // Closing twice is harmless; the folder still opens with both rows.
    await first.close();
    const third = await openDatabase({ embeddedDir: dir, schema: 'alpha' });
    expect((await third.query('SELECT v FROM t ORDER BY v')).length).toBe(2);
    await third.close();
  });
});

describe('embeddedDatabaseDir', () => {
  const database = (dir: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'PG_VERSION'), '17\n');
  };

  it('shares db/shared when both services run in the process, and keeps a database of their own', () => {
    const data = folder();
    expect(embeddedDatabaseDir(data, 'catalog', true)).toBe(join(data, 'db', 'shared'));
    expect(embeddedDatabaseDir(data, 'catalog', false)).toBe(join(data, 'db', 'catalog'));
    // An earlier version's folder stays in use.
    database(join(data, 'db', 'scheduler'));
    expect(embeddedDatabaseDir(data, 'scheduler', true)).toBe(join(data, 'db', 'scheduler'));
  });

  it('refuses a service alone on a data folder whose shared database holds its data', () => {
    const data = folder();
    database(join(data, 'db', 'shared'));
    expect(() => embeddedDatabaseDir(data, 'scheduler', false)).toThrow(/run both in one process/);
    expect(embeddedDatabaseDir(data, 'scheduler', true)).toBe(join(data, 'db', 'shared'));
  });
});
