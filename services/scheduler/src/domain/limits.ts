/** Limits of one executor pool (config `pools.<name>`). */
export interface PoolLimit {
  /** Most attempts of the pool handed to executors and not ended, at once. */
  readonly maxConcurrent?: number | undefined;
  /** Most attempts of the pool handed to executors in any 60 seconds. */
  readonly ratePerMinute?: number | undefined;
}

export type PoolLimits = Readonly<Record<string, PoolLimit>>;

/** The window of `ratePerMinute`. */
export const RATE_WINDOW_MS = 60_000;

/** A QUEUED job run not yet handed to the executors, in dispatch order (oldest run first). */
export interface HeldJobRun {
  readonly id: string;
  readonly pipelineRunId: string;
  readonly attempt: number;
  readonly pool: string;
  readonly jobId: string;
  /** The job's name, for the reason. */
  readonly jobName: string;
  /** The frozen JobSpec's maxConcurrent; 0: none. */
  readonly maxConcurrent: number;
}

/** How full each pool and job is now: attempts handed to executors and not ended, and recent hand-overs. */
export interface Occupancy {
  /** Pool → open attempts handed to its executors. */
  readonly pools: ReadonlyMap<string, number>;
  /** Job id → open attempts handed to executors. */
  readonly jobs: ReadonlyMap<string, number>;
  /** Pool → attempts handed to its executors in the last RATE_WINDOW_MS. */
  readonly recent: ReadonlyMap<string, number>;
}

/** Whether a job run is subject to any limit (else it is handed over at once). */
export function isLimited(jobRun: Pick<HeldJobRun, 'pool' | 'maxConcurrent'>, limits: PoolLimits): boolean {
  const pool = limits[jobRun.pool];
  return jobRun.maxConcurrent > 0 || pool?.maxConcurrent !== undefined || pool?.ratePerMinute !== undefined;
}

/** Why a job run cannot be handed over now; undefined when it can. */
export function limitReason(jobRun: HeldJobRun, occupancy: Occupancy, limits: PoolLimits): string | undefined {
  const pool = limits[jobRun.pool];
  if (pool?.maxConcurrent !== undefined && (occupancy.pools.get(jobRun.pool) ?? 0) >= pool.maxConcurrent) {
    return `waiting: pool ${jobRun.pool} at its limit of ${pool.maxConcurrent}`;
  }
  if (jobRun.maxConcurrent > 0 && (occupancy.jobs.get(jobRun.jobId) ?? 0) >= jobRun.maxConcurrent) {
    return `waiting: job ${jobRun.jobName} at its limit of ${jobRun.maxConcurrent} (maxConcurrent)`;
  }
  if (pool?.ratePerMinute !== undefined && (occupancy.recent.get(jobRun.pool) ?? 0) >= pool.ratePerMinute) {
    return `waiting: pool ${jobRun.pool} at its rate limit of ${pool.ratePerMinute} per minute`;
  }
  return undefined;
}

/**
 * Which held job runs go to the executors now, in order: each one that fits every limit
 * is admitted and counted, so that the ones after it see the places it took. Those that
 * do not fit stay held (a later one may still fit: another job, another pool).
 */
export function admit(
  held: readonly HeldJobRun[],
  occupancy: Occupancy,
  limits: PoolLimits,
): { admitted: HeldJobRun[]; waiting: HeldJobRun[] } {
  const pools = new Map(occupancy.pools);
  const jobs = new Map(occupancy.jobs);
  const recent = new Map(occupancy.recent);
  const admitted: HeldJobRun[] = [];
  const waiting: HeldJobRun[] = [];
  for (const jobRun of held) {
    if (limitReason(jobRun, { pools, jobs, recent }, limits) !== undefined) {
      waiting.push(jobRun);
      continue;
    }
    admitted.push(jobRun);
    pools.set(jobRun.pool, (pools.get(jobRun.pool) ?? 0) + 1);
    jobs.set(jobRun.jobId, (jobs.get(jobRun.jobId) ?? 0) + 1);
    recent.set(jobRun.pool, (recent.get(jobRun.pool) ?? 0) + 1);
  }
  return { admitted, waiting };
}
