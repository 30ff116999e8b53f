import { describe, expect, it } from 'vitest';
import { embeddedDatabaseSchema } from './database-schema.js';
import { loadConfig } from './load.js';

describe('embeddedDatabaseSchema', () => {
  it('refuses settings that trade durability', () => {
    for (const name of ['fsync', 'full_page_writes', 'synchronous_commit']) {
      expect(embeddedDatabaseSchema.safeParse({ settings: { [name]: 'off' } }).success).toBe(false);
    }
  });

  it('refuses a value spanning lines and a name that is not one', () => {
    expect(embeddedDatabaseSchema.safeParse({ settings: { work_mem: '4MB\nfsync=off' } }).success).toBe(false);
    expect(embeddedDatabaseSchema.safeParse({ settings: { 'work mem': '4MB' } }).success).toBe(false);
  });
});

describe('database.embedded in the config', () => {
  it('has defaults and takes environment variables', () => {
    expect(loadConfig().database.embedded).toEqual({
      sharedBuffersMb: 16,
      workMemMb: 4,
      maintenanceWorkMemMb: 16,
      settings: {},
    });
    const config = loadConfig({ env: { FLUXI_DATABASE__EMBEDDED__SHARED_BUFFERS_MB: '64' } });
    expect(config.database.embedded.sharedBuffersMb).toBe(64);
  });
});
