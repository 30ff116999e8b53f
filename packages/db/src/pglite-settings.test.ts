import { embeddedDatabaseSchema } from '@fluxi/common';
import { describe, expect, it } from 'vitest';
import { defaultEmbeddedSettings, pgliteSettingArgs } from './pglite-settings.js';

describe('pgliteSettingArgs', () => {
  it('gives the default sizes as -c arguments', () => {
    expect(pgliteSettingArgs(defaultEmbeddedSettings())).toEqual([
      '-c',
      'shared_buffers=16MB',
      '-c',
      'work_mem=4MB',
      '-c',
      'maintenance_work_mem=16MB',
    ]);
  });

  it('puts extra settings after the sizes, booleans as on/off', () => {
    const settings = embeddedDatabaseSchema.parse({
      sharedBuffersMb: 32,
      settings: { shared_buffers: '48MB', temp_buffers: '2MB', jit: false },
    });
    expect(pgliteSettingArgs(settings).slice(0, 2)).toEqual(['-c', 'shared_buffers=32MB']);
    expect(pgliteSettingArgs(settings).slice(6)).toEqual([
      '-c',
      'shared_buffers=48MB',
      '-c',
      'temp_buffers=2MB',
      '-c',
      'jit=off',
    ]);
  });
});
