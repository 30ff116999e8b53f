import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/index.js';
import { seedFromTemplate } from '../src/pglite-template.js';

const folders: string[] = [];
const folder = (prefix: string) => {
  const made = mkdtempSync(join(tmpdir(), prefix));
  folders.push(made);
  return made;
};
let root: string;
const before = process.env['FLUXI_PGLITE_TEMPLATE_DIR'];

beforeAll(() => {
  root = folder('fluxi-template-root-');
  process.env['FLUXI_PGLITE_TEMPLATE_DIR'] = root;
});

afterAll(() => {
  if (before === undefined) delete process.env['FLUXI_PGLITE_TEMPLATE_DIR'];
  else process.env['FLUXI_PGLITE_TEMPLATE_DIR'] = before;
  for (const made of folders) rmSync(made, { recursive: true, force: true });
});

describe('new embedded databases start from a template (real PGlite)', () => {
  it('makes the template once, and each new database is a copy of its own', async () => {
    const first = join(folder('fluxi-template-a-'), 'db');
    const a: Database = await openDatabase({ embeddedDir: first, schema: 'one' });
    const templates = readdirSync(root);
    expect(templates).toEqual([expect.stringMatching(/^pglite-\d+\.\d+\.\d+/)]);
    expect(existsSync(join(root, templates[0] as string, 'PG_VERSION'))).toBe(true);
    await a.query('CREATE TABLE t (v text)');
    await a.query("INSERT INTO t VALUES ('only in a')");

    const second = join(folder('fluxi-template-b-'), 'db');
    const b: Database = await openDatabase({ embeddedDir: second, schema: 'one' });
    expect(readdirSync(root)).toEqual(templates);
    await expect(b.query('SELECT v FROM t')).rejects.toThrow(/does not exist/);
    await b.query('CREATE TABLE t (v text)');
    await b.query("INSERT INTO t VALUES ('only in b')");
    expect(await a.query('SELECT v FROM t')).toEqual([{ v: 'only in a' }]);
    expect(await b.query('SELECT v FROM t')).toEqual([{ v: 'only in b' }]);
    await a.close();
    await b.close();

    // Opened again: the data stayed, nothing was copied over it.
    const again = await openDatabase({ embeddedDir: first, schema: 'one' });
    expect(await again.query('SELECT v FROM t')).toEqual([{ v: 'only in a' }]);
    await again.close();
  });

  it('leaves a folder with anything in it alone', async () => {
    const used = folder('fluxi-template-used-');
    writeFileSync(join(used, 'something'), 'x');
    await seedFromTemplate(used);
    expect(readdirSync(used)).toEqual(['something']);
  });

  it('takes no template from a folder others can write to (initdb runs instead)', async () => {
    const shared = folder('fluxi-template-shared-');
    chmodSync(shared, 0o777);
    process.env['FLUXI_PGLITE_TEMPLATE_DIR'] = shared;
    try {
      const dir = join(folder('fluxi-template-c-'), 'db');
      await seedFromTemplate(dir);
      expect(readdirSync(dir)).toEqual([]);
      expect(readdirSync(shared)).toEqual([]);
    } finally {
      process.env['FLUXI_PGLITE_TEMPLATE_DIR'] = root;
    }
  });
});
