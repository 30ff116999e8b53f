import { embeddedDatabaseSchema, type EmbeddedDatabaseSettings } from '@fluxi/common';

/** The embedded database's settings when the caller gives none: the config's defaults. */
export function defaultEmbeddedSettings(): EmbeddedDatabaseSettings {
  return embeddedDatabaseSchema.parse({});
}

/** PostgreSQL's text form of a setting value: booleans as on/off. */
function settingText(value: string | number | boolean): string {
  return typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
}

/**
 * The `-c name=value` arguments that give an embedded PGlite database these settings, meant to
 * follow PGlite's own start parameters (a later `-c` wins). `settings` come after the sizes, so a
 * user's `shared_buffers` there overrides `sharedBuffersMb`.
 */
export function pgliteSettingArgs(settings: EmbeddedDatabaseSettings): string[] {
  const all: [string, string | number | boolean][] = [
    ['shared_buffers', `${settings.sharedBuffersMb}MB`],
    ['work_mem', `${settings.workMemMb}MB`],
    ['maintenance_work_mem', `${settings.maintenanceWorkMemMb}MB`],
    ...Object.entries(settings.settings),
  ];
  return all.flatMap(([name, value]) => ['-c', `${name}=${settingText(value)}`]);
}
