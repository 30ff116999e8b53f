import { z } from 'zod';

const port = z.number().int().min(0).max(65535);

/** `scheduler`: the run engine's service (events, dispatch, the outbox relay, retention, schedules). */
export const schedulerSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: port.default(0),
    /** Deliveries of an executor event that fails to be applied before it is dead-lettered (its job run ends FAILED, INFRASTRUCTURE). */
    maxDeliveries: z.number().int().min(1).max(1000).default(5),
    /** Seconds between checks that every QUEUED or RUNNING job run is still held by an executor (one check also runs at start). */
    reconcileIntervalSec: z.number().positive().max(3600).default(15),
    /**
     * Milliseconds between passes that hand QUEUED job runs held back by a limit (pools.*,
     * a job's maxConcurrent) to the executors; a pass also runs after each change that frees a place.
     */
    dispatchIntervalMs: z.number().int().min(50).max(60_000).default(1000),
    /**
     * Milliseconds between passes of the run-event relay (outbox → JetStream) besides the pass
     * woken after each commit: what a crash, a NATS outage or another scheduler left unsent.
     */
    eventRelayIntervalMs: z.number().int().min(50).max(60_000).default(1000),
    /**
     * The fast path: a job run whose only unfinished need is one queued or running attempt is armed
     * on it, and the executor running that attempt queues it the moment it succeeds, without
     * waiting for the scheduler (it runs once either way; see docs/ARCHITECTURE.md). false: the
     * scheduler queues every job run itself, after it applied the end of what it waited for.
     */
    fastPath: z.boolean().default(true),
    /** Hours a run event stays in the outbox table after it was published (then pruned). */
    eventKeepSentHours: z.number().min(0).max(8760).default(24),
    /**
     * Days an ended pipeline run is kept (job runs, attempts, outputs, artifacts, run events)
     * when its pipeline sets no `retention.runDays`; older ended runs are deleted.
     */
    runRetentionDays: z.number().int().min(1).max(36_500).default(90),
    /**
     * GitLab's CI_DEFAULT_BRANCH for every run (rules such as `$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH`);
     * a job's env (the file's `variables`) or a pipeline variable setting it wins.
     */
    ciDefaultBranch: z.string().min(1).max(255).default('main'),
    /** Seconds between run retention passes (one also runs at start); each logs what it deleted. */
    retentionIntervalSec: z.number().min(1).max(86_400).default(3600),
    /** Runs deleted per transaction by a retention pass. */
    retentionBatchSize: z.number().int().min(1).max(10_000).default(100),
    /** Firing schedules (the catalog's definitions, read from NATS KV `fluxi-schedules`). */
    schedules: z
      .object({
        /** Fire schedules from this scheduler when it holds the lease; false: never (it still serves their history). */
        enabled: z.boolean().default(true),
        /**
         * The leader lease (NATS KV `fluxi-leases`): renewed every third of this; a replica that sees no
         * renewal for this long takes over, so a dead leader is replaced within about 1⅓ of it.
         */
        leaseTtlMs: z.number().int().min(300).max(600_000).default(3000),
        /** Longest wait between fire passes (each pass also runs at the next planned time of any schedule). */
        loopIntervalMs: z.number().int().min(10).max(60_000).default(1000),
        /** A planned time at most this old is on time and fires whatever the missed-fire policy (a leader change). */
        graceSec: z.number().min(0).max(86_400).default(60),
        /** missedFires all: the most missed planned times fired after a downtime (the latest ones). */
        maxCatchUp: z.number().int().min(0).max(10_000).default(100),
        /** Schedules fired at once in one pass (their targets start in parallel too). */
        concurrency: z.number().int().min(1).max(1024).default(32),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
