import { describe, expect, it } from 'vitest';
import { embeddedDatabaseSchema } from './database-schema.js';
import { loadConfig } from './load.js';

describe('embeddedDatabaseSchema', () => {
  it('refuses turning off a setting durability depends on, and takes turning it on', () => {
    for (const name of ['fsync', 'full_page_writes', 'synchronous_commit']) {
      const off = embeddedDatabaseSchema.safeParse({ settings: { [name]: 'off' } });
      expect(off.success).toBe(false);
      expect(off.error?.issues[0]?.path).toEqual(['settings', name]);
      expect(embeddedDatabaseSchema.safeParse({ settings: { [name]: false } }).success).toBe(false);
      expect(embeddedDatabaseSchema.safeParse({ settings: { [name]: 'on' } }).success).toBe(true);
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
