import { cpus, freemem, loadavg } from 'node:os';
import { Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Logger, TlsFiles } from '@fluxi/common';
import { executeQueueName, executeQueuesKey, parseExecuteQueueName } from '@fluxi/contracts';
import { createRedisClient, redisConnection } from '@fluxi/messaging';
import { admissionProblem, carriesAll, type AdmissionThresholds, type HostSample } from '../domain/host-admission.js';
import { Slots } from './slots.js';

/** Why the workers take no new job: an admin's drain, the host under its thresholds, every place taken. */
export type PauseReason = 'drain' | 'host' | 'full';

/** What the host has now (os.freemem, os.loadavg per CPU); replaceable in tests. */
export type HostProbe = () => HostSample;

export const osHostProbe: HostProbe = () => ({
  freeMemoryMiB: freemem() / (1024 * 1024),
  loadPerCpu: (loadavg()[0] ?? 0) / Math.max(1, cpus().length),
});

export interface QueueSubscriptionOptions {
  redisUrl: string;
  /** TLS files for an external Redis (config redis.tls). */
  redisTls?: TlsFiles | undefined;
  /** BullMQ prefix (config redis.prefix). */
  prefix: string;
  pool: string;
  tags: readonly string[];
  /** Most attempts run at once, across every queue. */
  concurrency: number;
  /** Worker name: the executor id. */
  name: string;
  /** More BullMQ worker options (the same for every queue). */
  workerOptions?: Partial<WorkerOptions>;
  /** How often the pool's list of queues is read again. */
  watchMs: number;
  admission: AdmissionThresholds & { checkMs: number };
  host?: HostProbe;
  /** Called when the host goes under its admission thresholds or comes back (not at every check). */
  onHostChange?: () => void;
  logger: Logger;
  /** Runs one attempt; called only once a place is taken. */
  process: (job: Job) => Promise<unknown>;
}

/** The error of attempts taken from a queue but not started when the executor stopped. */
export const NOT_STARTED_REASON = 'the executor stopped before the job started';

/**
 * The queues this executor reads, one BullMQ worker each: every queue of its pool whose
 * tags it all carries (`execute-<pool>` always, `execute-<pool>--<tags>` once the scheduler
 * listed it in the pool's Redis set, read every `watchMs`).
 *
 * One budget of `concurrency` running attempts is shared by all of them (Slots, around
 * `process`): each worker may fetch up to `concurrency` jobs, so with more than one queue
 * the workers are paused while every place is taken, and resumed when one frees. A job a worker took in the
 * instant before the pause waits here for a place (never running beyond the budget).
 *
 * The workers are also paused while an admin's drain lasts and while the host is under its
 * admission thresholds (free memory, load per CPU; checked every `admission.checkMs`).
 */
export class QueueSubscriptions {
  private readonly workers = new Map<string, Worker>();
  private readonly slots: Slots;
  private readonly reasons = new Set<PauseReason>();
  private readonly redis: ReturnType<typeof createRedisClient>;
  private readonly timers: NodeJS.Timeout[] = [];
  private workersPaused = false;
  /** The admission problem of the last host check. */
  private lastHostProblem: string | undefined;
  private watching: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /** Admission checks done (tests wait for a count, not a time). */
  hostChecks = 0;

  constructor(private readonly options: QueueSubscriptionOptions) {
    this.slots = new Slots(options.concurrency);
    this.redis = createRedisClient(options.redisUrl, options.logger, options.redisTls);
  }

  /** Reads its pool's own queue and the listed ones it can take; then watches the list and the host. */
  async start(): Promise<void> {
    this.checkHost();
    await this.subscribe(executeQueueName(this.options.pool));
    await this.watch();
    this.timers.push(setInterval(() => void this.watch(), this.options.watchMs));
    const { minFreeMemoryMiB, maxLoadPerCpu, checkMs } = this.options.admission;
    if (minFreeMemoryMiB !== undefined || maxLoadPerCpu !== undefined) {
      this.timers.push(setInterval(() => this.checkHost(), checkMs));
    }
  }

  /** The queues read now. */
  queues(): string[] {
    return [...this.workers.keys()].sort();
  }

  /** Why the workers take no new job now (empty: they take work). */
  pausedFor(): PauseReason[] {
    return [...this.reasons].sort();
  }

  /** Why the host takes no new job now (admission thresholds, e.g. "free memory 300 MiB is under 512 MiB"); undefined: it does. */
  get hostProblem(): string | undefined {
    return this.lastHostProblem;
  }

  /** Attempts running now (places taken). */
  get running(): number {
    return this.slots.inUse;
  }

  /** Takes no new job (an admin's drain); running attempts go on. */
  async pause(): Promise<void> {
    this.setReason('drain', true);
  }

  /** Takes jobs again after pause() (unless the host or a full budget still holds the workers). */
  async resume(): Promise<void> {
    this.setReason('drain', false);
  }

  /** Stops watching, refuses jobs that wait for a place, and closes every worker (waiting for running attempts). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const timer of this.timers.splice(0)) clearInterval(timer);
      await this.watching;
      this.slots.close(new Error(NOT_STARTED_REASON));
      await Promise.all([...this.workers.values()].map((worker) => worker.close()));
      await this.redis.quit().catch(() => undefined);
    })();
    return this.closing;
  }

  /** Reads the pool's queue list and subscribes to the new queues whose tags this executor carries. */
  private watch(): Promise<void> {
    this.watching ??= (async () => {
      try {
        const names = await this.redis.smembers(executeQueuesKey(this.options.prefix, this.options.pool));
        for (const name of names.sort()) {
          const route = parseExecuteQueueName(name);
          if (this.closing !== undefined) return;
          if (route === undefined || route.pool !== this.options.pool || this.workers.has(name)) continue;
          if (carriesAll(this.options.tags, route.tags)) await this.subscribe(name);
        }
      } catch (error) {
        this.options.logger.warn({ err: error }, 'could not read the queues of the pool; trying again');
      } finally {
        this.watching = undefined;
      }
    })();
    return this.watching;
  }

  private async subscribe(name: string): Promise<void> {
    const { options } = this;
    const worker = new Worker(name, (job: Job) => this.run(job), {
      connection: redisConnection(options.redisUrl, options.redisTls),
      prefix: options.prefix,
      concurrency: options.concurrency,
      name: options.name,
      ...options.workerOptions,
      autorun: !this.workersPaused,
    });
    worker.on('error', (error) => options.logger.error({ err: error, queue: name }, 'worker error'));
    worker.on('failed', (job, error) =>
      options.logger.error({ err: error, bullJobId: job?.id, queue: name }, 'execute job failed'),
    );
    this.workers.set(name, worker);
    this.updateFull();
    await worker.waitUntilReady();
    options.logger.info({ queue: name }, 'reading queue');
  }

  /** One job: a place first (waiting for one if every place was taken meanwhile), then the attempt. */
  private async run(job: Job): Promise<unknown> {
    const release = await this.slots.acquire();
    this.updateFull();
    try {
      return await this.options.process(job);
    } finally {
      release();
      this.updateFull();
    }
  }

  /**
   * With one queue, its worker's own concurrency is the budget: it never fetches past it, and
   * pausing it would cost a reconnection of its blocking Redis connection at every job. With
   * several, they are paused while the shared budget is full.
   */
  private updateFull(): void {
    this.setReason('full', this.workers.size > 1 && this.slots.full);
  }

  private checkHost(): void {
    const { minFreeMemoryMiB, maxLoadPerCpu } = this.options.admission;
    if (minFreeMemoryMiB === undefined && maxLoadPerCpu === undefined) return;
    const problem = admissionProblem(this.options.admission, (this.options.host ?? osHostProbe)());
    this.hostChecks += 1;
    const changed = (problem === undefined) !== (this.lastHostProblem === undefined);
    if (problem !== undefined && this.lastHostProblem === undefined) {
      this.options.logger.warn({ problem }, 'host under the admission thresholds: taking no new job');
    } else if (problem === undefined && this.lastHostProblem !== undefined) {
      this.options.logger.info('host back within the admission thresholds: taking jobs again');
    }
    this.lastHostProblem = problem;
    this.setReason('host', problem !== undefined);
    if (changed) this.options.onHostChange?.();
  }

  /** Pauses the workers while any reason holds, resumes them when none does. */
  private setReason(reason: PauseReason, on: boolean): void {
    if (on) this.reasons.add(reason);
    else this.reasons.delete(reason);
    const pause = this.reasons.size > 0;
    if (pause === this.workersPaused || this.closing !== undefined) return;
    this.workersPaused = pause;
    for (const worker of this.workers.values()) {
      // Not awaited: pause() ends when the worker's running jobs do. It interrupts the blocked fetch at
      // once (pause(true) would not, and a drained executor could still take one job). A resume that
      // comes while such a pause is pending may leave that worker's stalled-job checker stopped; lost
      // attempts are found by the scheduler from heartbeats, not from BullMQ stalls.
      if (pause) void worker.pause().catch(() => undefined);
      else void worker.resume();
    }
  }
}
