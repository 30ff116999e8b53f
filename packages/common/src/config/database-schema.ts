import { z } from 'zod';

const url = z.string().min(1);

/** Settings that would let a crash lose committed work when off: they may only be turned on here. */
export const DURABILITY_SETTINGS: readonly string[] = ['fsync', 'full_page_writes', 'synchronous_commit'];

const isOn = (value: string | number | boolean) => value === true || value === 'on' || value === 'true';

/**
 * `database.embedded`: the memory of each embedded PGlite database (used when `database.url` is
 * unset). Its PostgreSQL runs inside WebAssembly, whose memory grows and never shrinks, and it
 * touches all of shared_buffers at start: these sizes are resident memory for the process's life.
 */
export const embeddedDatabaseSchema = z
  .object({
    /** shared_buffers of each embedded database, in MB (PGlite's own default is 128). */
    sharedBuffersMb: z.number().int().min(1).max(4096).default(16),
    /** work_mem (per sort or hash of a query), in MB. */
    workMemMb: z.number().int().min(1).max(4096).default(4),
    /** maintenance_work_mem (CREATE INDEX, VACUUM), in MB (PostgreSQL's default is 64). */
    maintenanceWorkMemMb: z.number().int().min(1).max(4096).default(16),
    /**
     * More PostgreSQL settings, name → value (e.g. `temp_buffers: 4MB`), applied after the ones
     * above. Settings that trade durability (fsync, full_page_writes, synchronous_commit) may only be
     * turned on (PGlite starts with fsync off: on makes each commit wait for the disk).
     */
    settings: z
      .record(
        z.string().regex(/^[a-z_][a-z0-9_.]*$/, 'a PostgreSQL setting name'),
        z.union([z.string().regex(/^[^\n\r\0]*$/, 'one line'), z.number(), z.boolean()]),
      )
      .superRefine((settings, context) => {
        for (const [name, value] of Object.entries(settings)) {
          if (DURABILITY_SETTINGS.includes(name) && !isOn(value))
            context.addIssue({ code: 'custom', path: [name], message: 'a durability setting may only be turned on' });
        }
      })
      .default({}),
  })
  .strict()
  .prefault({});

export type EmbeddedDatabaseSettings = z.output<typeof embeddedDatabaseSchema>;

/** `database`: PostgreSQL when `url` is set, else one embedded PGlite database per service. */
export const databaseSchema = z.object({ url: url.optional(), embedded: embeddedDatabaseSchema }).strict().prefault({});
