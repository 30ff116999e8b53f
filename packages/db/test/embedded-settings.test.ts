import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedDatabaseSchema } from '@fluxi/common';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/index.js';

const opened: { db: Database; dir: string }[] = [];

async function open(embedded?: unknown): Promise<Database> {
  const dir = mkdtempSync(join(tmpdir(), 'fluxi-db-settings-'));
  const db = await openDatabase({
    embeddedDir: dir,
    schema: 'settings_test',
    embedded: embedded === undefined ? undefined : embeddedDatabaseSchema.parse(embedded),
  });
  opened.push({ db, dir });
  return db;
}

async function setting(db: Database, name: string): Promise<string> {
  const rows = await db.query<{ value: string }>('SELECT current_setting($1) AS value', [name]);
  return rows[0]!.value;
}

afterEach(async () => {
  for (const { db, dir } of opened.splice(0)) {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('embedded database settings (real PGlite)', () => {
  it('opens with the small defaults and still works', async () => {
    const db = await open();
    expect(await setting(db, 'shared_buffers')).toBe('16MB');
    expect(await setting(db, 'maintenance_work_mem')).toBe('16MB');
    await db.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO t SELECT i, repeat('x', 100) FROM generate_series(1, 5000) AS i");
    });
    expect(await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).toEqual([{ n: 5000 }]);
  });

  it('applies configured sizes and extra settings', async () => {
    const db = await open({ sharedBuffersMb: 24, workMemMb: 2, settings: { temp_buffers: '2MB' } });
    expect(await setting(db, 'shared_buffers')).toBe('24MB');
    expect(await setting(db, 'work_mem')).toBe('2MB');
    expect(await setting(db, 'temp_buffers')).toBe('2MB');
  });

  it("turns fsync on over PGlite's own -F when asked, and commits", async () => {
    const db = await open({ settings: { fsync: 'on' } });
    expect(await setting(db, 'fsync')).toBe('on');
    await db.transaction(async (tx) => {
      await tx.query('CREATE TABLE t (id int PRIMARY KEY)');
      await tx.query('INSERT INTO t VALUES (1)');
    });
    expect(await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).toEqual([{ n: 1 }]);
  });
});
