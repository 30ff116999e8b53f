import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import {
  Buckets,
  ContractVersion,
  create,
  ExecutorInfoSchema,
  ExecutorState,
  type ExecutorInfo,
} from '@fluxi/contracts';
import type { Logger } from '@fluxi/common';
import { decode, encode } from './codec.js';
import type { Nats } from './nats.js';

/**
 * The executor registry (KV bucket `fluxi-executors`): key = executor id, value =
 * ExecutorInfo, put by the executor at start and at every heartbeat, deleted on a clean
 * stop. An executor that died stops putting: readers see it LOST once its entry is older
 * than two of its heartbeat intervals, and NATS removes the entry after
 * EXECUTOR_ENTRY_TTL_MS, so a lost executor stays listed (as lost) for that long.
 */
export const EXECUTOR_ENTRY_TTL_MS = 600_000;

/** An entry of the registry as a reader sees it. */
export interface RegisteredExecutor {
  readonly info: ExecutorInfo;
  /** When NATS stored the last heartbeat (the NATS server's clock, epoch ms). */
  readonly seenAtMs: number;
  /** The executor's own state, or LOST when its heartbeat is too old by the NATS server's clock. */
  readonly state: ExecutorState;
  /** Grows with every heartbeat (the KV revision). */
  readonly revision: number;
}

const DEFAULT_HEARTBEAT_MS = 5000;

/** How old an entry may be before its executor counts as lost. */
export function lostAfterMs(info: Pick<ExecutorInfo, 'heartbeatMs'>): number {
  const heartbeatMs = info.heartbeatMs > 0 ? info.heartbeatMs : DEFAULT_HEARTBEAT_MS;
  return heartbeatMs * Buckets.executors.lostAfterHeartbeats;
}

/** The state a reader gives an entry stored at `seenAtMs`, at `nowMs`. */
export function executorStateAt(info: ExecutorInfo, seenAtMs: number, nowMs: number): ExecutorState {
  if (nowMs - seenAtMs > lostAfterMs(info)) return ExecutorState.LOST;
  return info.state;
}

/**
 * The KV key of an executor id: ids are `host:pid`, and keys allow only letters, digits
 * and `-_=.`; anything else (and `_` itself) becomes `_` and its char code in hex, `_`.
 */
export function executorKey(id: string): string {
  return id.replace(/[^A-Za-z0-9.=-]/g, (char) => `_${char.charCodeAt(0).toString(16)}_`);
}

/** Opens (creating it when missing) the registry's bucket. */
export async function executorsBucket(nats: Nats): Promise<KV> {
  return new Kvm(nats.nc).create(Buckets.executors.name, { history: 1, ttl: EXECUTOR_ENTRY_TTL_MS });
}

/** Writes the registry: the executor's entry, from now on. */
export interface ExecutorRegistryWriter {
  put(info: ExecutorInfo): Promise<void>;
  delete(id: string): Promise<void>;
}

/** Reads the registry. */
export interface ExecutorRegistryReader {
  /** Every entry NATS still keeps, live or lost, by id. */
  list(nowMs?: number): Promise<RegisteredExecutor[]>;
  get(id: string, nowMs?: number): Promise<RegisteredExecutor | undefined>;
}

export type ExecutorRegistry = ExecutorRegistryWriter & ExecutorRegistryReader;

/** Opens (creating it when missing) the executor registry bucket. */
export async function openExecutorRegistry(nats: Nats): Promise<ExecutorRegistry> {
  const kv = await executorsBucket(nats);
  return {
    async put(info) {
      const value = create(ExecutorInfoSchema, { ...info, version: ContractVersion.CONTRACT_VERSION_1 });
      await kv.put(executorKey(info.id), encode(ExecutorInfoSchema, value));
    },
    async delete(id) {
      await kv.delete(executorKey(id));
    },
    async list(nowMs = Date.now()) {
      const keys: string[] = [];
      for await (const key of await kv.keys()) keys.push(key);
      const entries = await Promise.all(keys.map((key) => kv.get(key)));
      return entries
        .flatMap((entry) => {
          const executor = entry === null ? undefined : registeredExecutorOf(entry, nowMs);
          return executor === undefined ? [] : [executor];
        })
        .sort((a, b) => a.info.id.localeCompare(b.info.id));
    },
    async get(id, nowMs = Date.now()) {
      const entry = await kv.get(executorKey(id));
      return entry === null ? undefined : registeredExecutorOf(entry, nowMs);
    },
  };
}

/** Puts the executor's entry (start, heartbeat). */
export async function putExecutor(nats: Nats, info: ExecutorInfo): Promise<void> {
  await (await openExecutorRegistry(nats)).put(info);
}

/** Every executor the registry keeps (live or lost), sorted by id. */
export async function listExecutors(nats: Nats, nowMs = Date.now()): Promise<RegisteredExecutor[]> {
  return (await openExecutorRegistry(nats)).list(nowMs);
}

export interface ExecutorWatch {
  stop(): Promise<void>;
}

/**
 * Calls `onChange` with each entry there is now, then with each heartbeat, and with
 * `undefined` when an executor stopped cleanly (its entry deleted); `key` is the entry's
 * KV key (`executorKey(id)`). An executor that died is not announced: its heartbeats stop,
 * and `executorStateAt` says LOST.
 */
export async function watchExecutors(
  nats: Nats,
  onChange: (key: string, executor: RegisteredExecutor | undefined) => void,
  logger: Logger,
): Promise<ExecutorWatch> {
  const kv = await executorsBucket(nats);
  const watcher = await kv.watch();
  const known = new Set<string>();
  const loop = (async () => {
    for await (const entry of watcher) {
      if (entry.operation !== 'PUT') {
        // The removal markers of executors stopped before the watch began are no news.
        if (known.delete(entry.key)) onChange(entry.key, undefined);
        continue;
      }
      known.add(entry.key);
      const executor = registeredExecutorOf(entry, Date.now());
      if (executor === undefined) logger.warn({ key: entry.key }, 'unreadable executor registry entry ignored');
      else onChange(entry.key, executor);
    }
  })();
  return {
    async stop() {
      watcher.stop();
      await loop;
    },
  };
}

/** The entry as a reader sees it at `nowMs`; undefined for a removal marker or an unreadable value. */
export function registeredExecutorOf(entry: KvEntry, nowMs: number): RegisteredExecutor | undefined {
  if (entry.operation !== 'PUT') return undefined;
  let info: ExecutorInfo;
  try {
    info = decode(ExecutorInfoSchema, entry.value);
  } catch {
    return undefined;
  }
  const seenAtMs = entry.created.getTime();
  return { info, seenAtMs, state: executorStateAt(info, seenAtMs, nowMs), revision: entry.revision };
}
