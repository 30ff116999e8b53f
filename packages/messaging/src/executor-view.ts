import { KvWatchInclude, type KV, type KvEntry } from '@nats-io/kv';
import type { Logger } from '@fluxi/common';
import {
  EXECUTOR_ENTRY_TTL_MS,
  executorKey,
  executorsBucket,
  executorStateAt,
  openExecutorRegistry,
  registeredExecutorOf,
  type ExecutorRegistryReader,
  type RegisteredExecutor,
} from './executors.js';
import type { Nats } from './nats.js';

/** A copy of the executor registry kept current by a watch; read without a round trip to NATS. */
export interface ExecutorRegistryView extends ExecutorRegistryReader {
  stop(): Promise<void>;
}

/** What the view knows of a key: its latest revision, and the entry (none once it was deleted). */
interface Known {
  readonly revision: number;
  readonly executor: RegisteredExecutor | undefined;
}

/** Pause before a watch that failed or ended begins again. */
const RESTART_MS = 1000;

/**
 * The executor registry as a local copy: a watch of the bucket (updates only) applies each
 * heartbeat and clean stop as it comes, and a listing taken after the watch began seeds the
 * keys it had; the higher revision wins, so neither can undo what the other saw later.
 *
 * Listing the bucket for each read (kv.keys() then a get per key) made an ephemeral
 * consumer per call: several round trips, and under load a failure now and then, so a
 * waiting reason flipped to "could not be listed". Reads of the copy make no round trip.
 * Until it is seeded, and from a cut from NATS until the watch has begun again after the
 * reconnection, reads list the bucket directly (and fail as NATS does): a copy that may have
 * missed heartbeats must not make executors look silent. Entries NATS removed by age
 * (EXECUTOR_ENTRY_TTL_MS, no removal marker) are dropped by age.
 */
export async function openExecutorView(nats: Nats, logger: Logger): Promise<ExecutorRegistryView> {
  const view = new ExecutorView(nats, await openExecutorRegistry(nats), await executorsBucket(nats), logger);
  await view.start();
  return view;
}

class ExecutorView implements ExecutorRegistryView {
  private known = new Map<string, Known>();
  private seeded = false;
  private stopped = false;
  /** Set when the watch is stopped on purpose, to begin again after a reconnection. */
  private renewing = false;
  private stopWatch: (() => void) | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly nats: Nats,
    private readonly direct: ExecutorRegistryReader,
    private readonly kv: KV,
    private readonly logger: Logger,
  ) {}

  /** Begins following; resolves once the first watch is seeded, or has failed (reads then go to NATS). */
  async start(): Promise<void> {
    let firstTry!: () => void;
    const tried = new Promise<void>((resolve) => (firstTry = resolve));
    this.running = this.keepFollowing(firstTry);
    void this.followConnection();
    await tried;
  }

  async list(nowMs = Date.now()): Promise<RegisteredExecutor[]> {
    return this.seeded ? this.current(nowMs) : this.direct.list(nowMs);
  }

  async get(id: string, nowMs = Date.now()): Promise<RegisteredExecutor | undefined> {
    if (!this.seeded) return this.direct.get(id, nowMs);
    return this.at(executorKey(id), nowMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.seeded = false;
    this.stopWatch?.();
    await this.running;
  }

  private get ended(): boolean {
    return this.stopped || this.nats.nc.isClosed();
  }

  /** Watches until stopped, beginning again after a failure, an end or a reconnection. */
  private async keepFollowing(tried: () => void): Promise<void> {
    // One warning per outage, not one per second.
    let warned = false;
    while (!this.ended) {
      try {
        await this.follow(tried);
        if (!this.renewing && !this.ended) this.logger.warn('the executor registry watch ended; starting it again');
        warned = false;
      } catch (error) {
        if (!warned && !this.ended) {
          this.logger.warn(
            { err: error },
            'the executor registry watch failed; reading the registry directly meanwhile',
          );
        }
        warned = true;
      }
      tried();
      this.seeded = false;
      const renewed = this.renewing;
      this.renewing = false;
      if (!renewed && !this.ended) await new Promise((resolve) => setTimeout(resolve, RESTART_MS).unref());
    }
  }

  /** One watch until it ends: seeds the copy, then applies every change. */
  private async follow(seededNow: () => void): Promise<void> {
    this.known = new Map();
    this.seeded = false;
    const watcher = await this.kv.watch({ include: KvWatchInclude.UpdatesOnly });
    this.stopWatch = () => watcher.stop();
    const changes = (async () => {
      for await (const entry of watcher)
        this.apply(entry.key, { revision: entry.revision, executor: this.readable(entry) });
    })();
    try {
      for (const executor of await this.direct.list()) {
        this.apply(executorKey(executor.info.id), { revision: executor.revision, executor });
      }
      for (const [key, { executor }] of this.known) if (executor === undefined) this.known.delete(key);
      this.seeded = !this.ended;
      seededNow();
    } catch (error) {
      watcher.stop();
      await changes;
      throw error;
    }
    await changes;
  }

  /** A cut may hide changes: the copy is not read from the cut until the watch began again. */
  private async followConnection(): Promise<void> {
    // Ends with the connection (nats.js offers no way to stop following its status sooner).
    for await (const change of this.nats.nc.status()) {
      if (this.stopped) return;
      if (change.type === 'disconnect') this.seeded = false;
      if (change.type === 'reconnect') {
        this.renewing = true;
        this.stopWatch?.();
      }
    }
  }

  private apply(key: string, next: Known): void {
    const current = this.known.get(key);
    if (current !== undefined && current.revision >= next.revision) return;
    // Removal markers are kept only until the copy is seeded, so that the listing cannot bring a key back.
    if (next.executor === undefined && this.seeded) this.known.delete(key);
    else this.known.set(key, next);
  }

  private readable(entry: KvEntry): RegisteredExecutor | undefined {
    const executor = registeredExecutorOf(entry, Date.now());
    if (executor === undefined && entry.operation === 'PUT') {
      this.logger.warn({ key: entry.key }, 'unreadable executor registry entry ignored');
    }
    return executor;
  }

  /** The entries of the copy at `nowMs`, dropping those NATS has removed by age. */
  private current(nowMs: number): RegisteredExecutor[] {
    const executors: RegisteredExecutor[] = [];
    for (const key of [...this.known.keys()]) {
      const executor = this.at(key, nowMs);
      if (executor !== undefined) executors.push(executor);
    }
    return executors.sort((a, b) => a.info.id.localeCompare(b.info.id));
  }

  /** The entry of `key` as read at `nowMs`; one NATS has removed by age is dropped. */
  private at(key: string, nowMs: number): RegisteredExecutor | undefined {
    const executor = this.known.get(key)?.executor;
    if (executor === undefined) return undefined;
    if (nowMs - executor.seenAtMs > EXECUTOR_ENTRY_TTL_MS) {
      this.known.delete(key);
      return undefined;
    }
    return { ...executor, state: executorStateAt(executor.info, executor.seenAtMs, nowMs) };
  }
}
