import { createTestDatabase, type TestDatabase } from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/index.js';

describe('openDatabase on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('fluxi_db_open');
  });
  afterAll(async () => {
    await database?.drop();
  });

  // Two replicas of a service start together: each creates its schema if missing.
  it('lets processes opening the same new schema at once all succeed', async () => {
    for (let round = 0; round < 5; round++) {
      const schema = `replicas_${round}`;
      const opened = await Promise.allSettled(
        Array.from({ length: 6 }, () => openDatabase({ url: database.url, schema, embeddedDir: '' })),
      );
      const failures = opened.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
      for (const r of opened) if (r.status === 'fulfilled') await r.value.close();
      expect(failures).toEqual([]);
    }
  });

  it('fails at once, naming the cause, when the server cannot be reached', async () => {
    const url = new URL(database.url);
    url.port = '1';
    await expect(openDatabase({ url: url.toString(), schema: 'nowhere', embeddedDir: '' })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});
