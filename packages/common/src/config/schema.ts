import { z } from 'zod';

const port = z.number().int().min(0).max(65535);
const url = z.string().min(1);

/**
 * The whole configuration of a Fluxi installation. One YAML file, overridden by
 * environment variables, overridden by command-line flags (see load.ts).
 * Services receive their slice of it as options; none reads process.env.
 */
export const configSchema = z
  .object({
    /** Where embedded stores, local servers' data, artifacts and log files live. */
    dataDir: z.string().min(1).default('./.fluxi'),
    log: z
      .object({
        /** One level for every process of this installation; changeable at run time (setLogLevel). */
        level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
        console: z.boolean().default(true),
        /** One file per level under `<dataDir>/logs` (a one-service process: `<dataDir>/logs/<service>`). */
        files: z.boolean().default(true),
        /** A log file is rotated (info.log → info.log.1 …) when it reaches this size. */
        maxFileBytes: z
          .number()
          .int()
          .min(64 * 1024)
          .default(10 * 1024 * 1024),
        /** Rotated files kept per level besides the current one. */
        maxFiles: z.number().int().min(1).max(100).default(5),
      })
      .strict()
      .prefault({}),
    nats: z.object({ url: url.optional() }).strict().prefault({}),
    redis: z
      .object({ url: url.optional(), prefix: z.string().min(1).default('fluxi') })
      .strict()
      .prefault({}),
    database: z.object({ url: url.optional() }).strict().prefault({}),
    clickhouse: z.object({ url: url.optional() }).strict().prefault({}),
    gateway: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: port.default(4000),
        /** Subgraph URLs when the services run in other processes. */
        subgraphs: z
          .object({ catalog: url.optional(), scheduler: url.optional(), logs: url.optional() })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    catalog: z
      .object({ host: z.string().default('127.0.0.1'), port: port.default(0) })
      .strict()
      .prefault({}),
    scheduler: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: port.default(0),
        /** Deliveries of an executor event that fails to be applied before it is dead-lettered (its job run ends FAILED, INFRASTRUCTURE). */
        maxDeliveries: z.number().int().min(1).max(1000).default(5),
        /** Seconds between checks that every QUEUED or RUNNING job run is still held by an executor (one check also runs at start). */
        reconcileIntervalSec: z.number().positive().max(3600).default(15),
      })
      .strict()
      .prefault({}),
    logs: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: port.default(0),
        batchSize: z.number().int().min(1).max(100_000).default(1000),
        flushMs: z.number().int().min(1).max(60_000).default(200),
      })
      .strict()
      .prefault({}),
    executor: z
      .object({
        pool: z
          .string()
          .regex(/^[a-z0-9-]+$/)
          .default('default'),
        concurrency: z.number().int().min(1).max(1024).default(4),
        /** Seconds between SIGTERM and SIGKILL when a job's process group is stopped. */
        killGraceSec: z.number().min(0).max(600).default(5),
        /**
         * On stop, how long running jobs may go on before they are killed and reported
         * FAILED (infrastructure, "executor stopped while the job was running").
         */
        shutdownGraceSec: z.number().min(0).max(3600).default(30),
        /** Default job timeout when a job sets none. */
        defaultTimeoutSec: z.number().int().min(1).default(3600),
        /**
         * Log lines of one attempt kept on disk (`<dataDir>/log-spool`) while NATS cannot take
         * them, past the ~8 MiB kept in memory. When it is full the job's output is paused (it
         * blocks on write) until NATS is back and the spool has been published; 0: no spool.
         */
        logSpoolMaxBytes: z
          .number()
          .int()
          .min(0)
          .default(1024 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    contexts: z
      .object({
        /** Largest context kept (a job's standard output); longer output is cut, with a note. At most 768 KiB: it travels in one JetStream message. */
        maxBytes: z
          .number()
          .int()
          .min(1)
          .max(768 * 1024)
          .default(64 * 1024),
      })
      .strict()
      .prefault({}),
    artifacts: z
      .object({
        /** Folder holding job artifacts; default `<dataDir>/artifacts`. Shared by executors and the gateway. */
        dir: z.string().min(1).optional(),
        /** Largest single artifact file accepted. */
        maxFileBytes: z
          .number()
          .int()
          .min(1)
          .default(1024 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type FluxiConfig = z.output<typeof configSchema>;
export type FluxiConfigInput = z.input<typeof configSchema>;
