import { z } from 'zod';
import { gatewaySchema } from './gateway-schema.js';
import { databaseSchema } from './database-schema.js';
import { telemetrySchema } from './telemetry-schema.js';
import { notificationsSchema } from './notifications-schema.js';
import { natsSchema } from './nats-schema.js';
import { redisSchema } from './redis-schema.js';
import { schedulerSchema } from './scheduler-schema.js';

const port = z.number().int().min(0).max(65535);
const url = z.string().min(1);
/**
 * Pool and tag names (ROUTE_NAME in @fluxi/contracts): lowercase letters and digits with
 * single "-" between them, so that queue names (`execute-<pool>--<tag>+<tag>`) are unambiguous.
 */
const routeName = z
  .string()
  .regex(/^(?=.{1,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/, '1-63 lowercase letters and digits, with single "-" between them');

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
    nats: natsSchema,
    redis: redisSchema,
    database: databaseSchema,
    clickhouse: z.object({ url: url.optional() }).strict().prefault({}),
    gateway: gatewaySchema,
    notifications: notificationsSchema,
    catalog: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: port.default(0),
        /** Seconds between new tries to write a schedule the schedulers could not be told about (NATS away). */
        scheduleRetrySec: z.number().min(0.1).max(3600).default(5),
        /** Hours a login session (a token from POST /api/v1/auth/login) stays valid. */
        sessionHours: z.number().positive().max(8760).default(12),
        /** Days audit entries are kept (then deleted by an hourly pass). */
        auditRetentionDays: z.number().positive().max(36_500).default(365),
      })
      .strict()
      .prefault({}),
    scheduler: schedulerSchema,
    logs: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: port.default(0),
        /**
         * Most log chunks (JetStream messages) in one insert. A busy job's chunk holds up to 2000
         * lines (and 256 KiB of text), so 200 of them are up to 400 000 lines in one insert.
         */
        batchSize: z.number().int().min(1).max(100_000).default(200),
        /** Longest wait, after a batch's first chunk, for more to fill it (ms). */
        flushMs: z.number().int().min(1).max(60_000).default(200),
        /**
         * Days a job's log lines are kept when its pipeline sets no log retention of its own
         * (the store's TTL; lines are dropped by day, at the next retention pass or merge).
         */
        retentionDays: z.number().int().min(1).max(36_500).default(30),
        /** Seconds between retention passes, which delete the lines past their TTL and log how many. */
        retentionIntervalSec: z.number().min(1).max(86_400).default(3600),
      })
      .strict()
      .prefault({}),
    executor: z
      .object({
        /** The pool whose jobs this executor takes. */
        pool: routeName.default('default'),
        /** Tags of this executor: it takes the jobs of its pool that require none or only some of these. */
        tags: z
          .preprocess(
            // From an environment variable or a flag: "gpu,arm64".
            (value) => (typeof value === 'string' ? value.split(',').filter((tag) => tag.trim() !== '') : value),
            z.array(routeName).max(16),
          )
          .default([]),
        /** Most attempts it runs at once, across every queue of its pool it reads. */
        concurrency: z.number().int().min(1).max(1024).default(4),
        /** Seconds between reads of the list of its pool's queues (new tag sets the scheduler used). */
        queueWatchSec: z.number().min(0.1).max(300).default(2),
        /**
         * Host admission: while the host has less free memory or more load than this, the
         * executor takes no new job (running ones go on); checked every `checkSec`.
         */
        admission: z
          .object({
            /** Free memory (os.freemem) under which no job is taken; absent: not checked. */
            minFreeMemoryMiB: z.number().int().min(1).optional(),
            /** 1-minute load average per CPU above which no job is taken; absent: not checked. */
            maxLoadPerCpu: z.number().positive().optional(),
            checkSec: z.number().min(0.1).max(300).default(5),
          })
          .strict()
          .prefault({}),
        /**
         * Where the executor serves `GET /metrics` (Prometheus text; its own process, host and
         * attempts). Port 0: any free port, logged at start; the `all` mode's executor process
         * also hands its metrics to the gateway's merged `/metrics`.
         */
        metrics: z
          .object({ host: z.string().default('127.0.0.1'), port: port.default(0) })
          .strict()
          .prefault({}),
        /** Seconds between SIGTERM and SIGKILL when a job's process group is stopped. */
        killGraceSec: z.number().min(0).max(600).default(5),
        /**
         * Start shell jobs with glibc's posix_spawn (through koffi), which does not copy the
         * executor process as Node's spawn does (7–10 ms a job on a VM, ~0.7 ms). Where it cannot
         * be had (not Linux, not glibc) jobs start with Node's spawn; false: always Node's.
         */
        posixSpawn: z.boolean().default(true),
        /**
         * On stop, how long running jobs may go on before they are killed and reported
         * FAILED (infrastructure, "executor stopped while the job was running").
         */
        shutdownGraceSec: z.number().min(0).max(3600).default(30),
        /**
         * Seconds between the executor's heartbeats in the registry (NATS KV `fluxi-executors`);
         * an executor silent for two of them is listed lost and its running attempts are retried.
         */
        heartbeatSec: z.number().min(0.2).max(60).default(5),
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
        /**
         * Longest log line kept, in bytes of UTF-8: a longer line is cut at a character
         * boundary with a note saying how many bytes were dropped.
         */
        maxLineBytes: z
          .number()
          .int()
          .min(1024)
          .max(512 * 1024)
          .default(64 * 1024),
        /**
         * Most bytes of log text stored for one attempt of a job; past them the job goes on
         * (its output still read) but its lines are dropped after one SYSTEM line saying so.
         * 0: no cap.
         */
        maxLogBytesPerAttempt: z
          .number()
          .int()
          .min(0)
          .default(100 * 1024 * 1024),
        /**
         * This executor's name, stable across its restarts (unlike its id, `hostname:pid`): the
         * Docker driver labels its containers with it to find those a previous life left. Give
         * each executor sharing a Docker engine its own name. Default: the host name.
         */
        name: z.string().min(1).max(128).optional(),
        /** The Docker driver, running jobs that name an image. */
        docker: z
          .object({
            /** The engine: unix:///path/to/docker.sock, tcp://host:port or http(s)://host:port (env DOCKER_HOST). */
            host: z.string().min(1).default('unix:///var/run/docker.sock'),
            /** Network mode of job containers (none, bridge, host, or a network's name). */
            network: z.string().min(1).default('none'),
            /** false: jobs with an image fail (infrastructure), and no engine is contacted. */
            enabled: z.boolean().default(true),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /**
     * Limits per executor pool (by pool name), applied by the scheduler when it hands job runs
     * to executors: a job run over a limit stays QUEUED, its waitingReason saying which.
     */
    pools: z
      .record(
        routeName,
        z
          .object({
            /** Most attempts of the pool handed to executors and not ended, at once; absent: no limit. */
            maxConcurrent: z.number().int().min(1).max(1_000_000).optional(),
            /** Most attempts of the pool handed to executors in any 60 seconds; absent: no limit. */
            ratePerMinute: z.number().int().min(1).max(1_000_000).optional(),
          })
          .strict(),
      )
      .default({}),
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
    /** Secrets at rest (secrets, pipelines' webhook secrets), encrypted by the catalog with AES-256-GCM. */
    secrets: z
      .object({
        /**
         * The key, 32 bytes in base64 (`openssl rand -base64 32`; env FLUXI_SECRETS__MASTER_KEY). Wins over
         * the key file. Every catalog of an installation needs the same key.
         */
        masterKey: z.string().min(1).optional(),
        /** The key file, created with a random key at the catalog's first start when no masterKey is set; default `<dataDir>/secret.key`. Back it up with the database. */
        keyFile: z.string().min(1).optional(),
        /**
         * Keys the installation used before (base64, like masterKey), to open values sealed with them:
         * the catalog seals those again with the current key at start (and on `rotateSecrets`). Remove
         * them once the catalog logged the re-encryption. Env FLUXI_SECRETS__PREVIOUS_KEYS: comma-separated.
         */
        previousKeys: z.preprocess(
          (value) =>
            typeof value === 'string'
              ? value
                  .split(',')
                  .map((key) => key.trim())
                  .filter((key) => key !== '')
              : value,
          z.array(z.string().min(1)).max(16).default([]),
        ),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        /**
         * Distinct pipeline names a service labels its metrics with (`pipeline="…"`); runs of
         * pipelines seen after these are counted under `pipeline="other"`, so series stay bounded.
         */
        maxPipelineLabels: z.number().int().min(0).max(10_000).default(100),
      })
      .strict()
      .prefault({}),
    memory: z
      .object({
        /**
         * Linux with glibc: every this many seconds each Fluxi process looks whether its event
         * loop was quiet since the last look and it grew by 8 MiB since its last trim; then it
         * gives the free pages of its malloc heaps back to the system (malloc_trim). 0: never.
         */
        trimCheckSec: z.number().min(0).max(3600).default(5),
      })
      .strict()
      .prefault({}),
    telemetry: telemetrySchema,
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
