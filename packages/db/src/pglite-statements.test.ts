import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreparedStatements } from './pglite-statements.js';

let pglite: PGlite;

beforeAll(async () => {
  pglite = await PGlite.create();
  await pglite.exec(`CREATE TABLE things (
    id text PRIMARY KEY, n int8, ok boolean, at timestamptz, body jsonb, tags text[], nums int[], raw bytea,
    price numeric, note text)`);
});

afterAll(async () => {
  await pglite?.close();
});

const preparedCount = async () =>
  Number((await pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows[0]?.n);

describe('prepared statements on a real PGlite', () => {
  it('takes and gives every type exactly as PGlite.query does', async () => {
    const statements = new PreparedStatements(pglite);
    const params = [
      'a',
      42,
      true,
      new Date('2026-12-06T10:00:00.123Z'),
      JSON.stringify({ k: ['v', 1] }),
      ['x', 'y "quoted"', null],
      [1, 2, 3],
      new Uint8Array([0, 1, 254, 255]),
      '12.50',
      null,
    ];
    const insert =
      'INSERT INTO things (id, n, ok, at, body, tags, nums, raw, price, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)';
    await statements.query('public', insert, params);
    await pglite.query(insert, ['b', ...params.slice(1)]);
    const select = 'SELECT * FROM things WHERE id = $1';
    for (const id of ['a', 'b']) {
      const ours = await statements.query<Record<string, unknown>>('public', select, [id]);
      const theirs = (await pglite.query<Record<string, unknown>>(select, [id])).rows;
      expect(ours).toEqual(theirs);
    }
    const [row] = await statements.query<Record<string, unknown>>('public', select, ['a']);
    expect(row).toMatchObject({ n: 42, ok: true, body: { k: ['v', 1] }, tags: ['x', 'y "quoted"', null], note: null });
    expect(row?.['at']).toEqual(new Date('2026-12-06T10:00:00.123Z'));
    expect(row?.['raw']).toEqual(new Uint8Array([0, 1, 254, 255]));
    // Statements without rows answer an empty list.
    expect(await statements.query('public', 'UPDATE things SET note = $2 WHERE id = $1', ['a', 'seen'])).toEqual([]);
  });

  it('reports errors with their PostgreSQL code, and the session goes on', async () => {
    const statements = new PreparedStatements(pglite);
    const insert = 'INSERT INTO things (id) VALUES ($1)';
    await statements.query('public', insert, ['dup']);
    await expect(statements.query('public', insert, ['dup'])).rejects.toMatchObject({
      code: '23505',
      constraint: 'things_pkey',
    });
    await expect(statements.query('public', 'SELECT nope FROM things', [])).rejects.toMatchObject({ code: '42703' });
    await expect(statements.query('public', 'SELECT n FROM things WHERE id = $1', ['dup'])).resolves.toEqual([
      { n: null },
    ]);
  });

  it('runs inside a PGlite transaction: a failing statement rolls it all back', async () => {
    const statements = new PreparedStatements(pglite);
    await expect(
      pglite.transaction(async () => {
        await statements.query('public', 'INSERT INTO things (id) VALUES ($1)', ['in-tx']);
        await statements.query('public', 'INSERT INTO things (id) VALUES ($1)', ['in-tx']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await statements.query('public', 'SELECT id FROM things WHERE id = $1', ['in-tx'])).toEqual([]);
  });

  it('keeps at most its limit prepared, closing the least recently used, which prepare again when used', async () => {
    const statements = new PreparedStatements(pglite, 2);
    const before = await preparedCount();
    const texts = [1, 2, 3, 4, 5].map((i) => `SELECT ${i} + $1::int AS v`);
    for (const text of texts) await statements.query('public', text, [1]);
    // The last one evicted is closed with the next statement prepared.
    expect(await preparedCount()).toBeLessThanOrEqual(before + 3);
    expect(await statements.query('public', texts[0] as string, [10])).toEqual([{ v: 11 }]);
  });

  it('prepares again a SELECT whose table changed under it (a migration added a column)', async () => {
    const statements = new PreparedStatements(pglite);
    await pglite.exec('CREATE TABLE grows (id int PRIMARY KEY); INSERT INTO grows VALUES (1)');
    const select = 'SELECT * FROM grows WHERE id = $1';
    expect(await statements.query('public', select, [1])).toEqual([{ id: 1 }]);
    await pglite.exec("ALTER TABLE grows ADD COLUMN label text NOT NULL DEFAULT 'new'");
    expect(await statements.query('public', select, [1])).toEqual([{ id: 1, label: 'new' }]);
  });
});
