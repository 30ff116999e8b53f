import { Kvm, type KV } from '@nats-io/kv';
import { Buckets, ContractVersion, create, ScheduleLeaseSchema } from '@fluxi/contracts';
import { decode, encode } from './codec.js';
import type { Nats } from './nats.js';

/** The lease entry as stored: who holds it, and the KV revision (grows with every claim or renewal). */
export interface LeaseEntry {
  readonly holder: string;
  readonly ttlMs: number;
  readonly revision: number;
}

/**
 * One leader lease in the KV bucket `fluxi-leases` (compare-and-set on the key's revision; no
 * clock is shared: replicas measure how long a revision stayed unchanged with their own clock).
 */
export interface LeaseKv {
  /** The entry, or null when there is none (never claimed, or released). */
  read(): Promise<LeaseEntry | null>;
  /**
   * Writes `holder` if the entry is still at `expected` (null: there is no entry). Resolves with
   * the new revision, or null when another replica wrote first.
   */
  claim(holder: string, ttlMs: number, expected: number | null): Promise<number | null>;
  /** Deletes the entry if it is still at `revision` (a clean stop hands over at once). */
  release(revision: number): Promise<void>;
}

/** Opens (creating the bucket when missing) the lease under `key`. */
export async function openLeaseKv(nats: Nats, key: string): Promise<LeaseKv> {
  const kv: KV = await new Kvm(nats.nc).create(Buckets.leases.name, { history: 1 });
  return {
    async read() {
      const entry = await kv.get(key);
      if (entry === null || entry.operation !== 'PUT') return null;
      try {
        const lease = decode(ScheduleLeaseSchema, entry.value);
        return { holder: lease.holder, ttlMs: Number(lease.ttlMs), revision: entry.revision };
      } catch {
        // Unreadable: a holder nobody knows, which nobody renews.
        return { holder: '', ttlMs: 0, revision: entry.revision };
      }
    },
    async claim(holder, ttlMs, expected) {
      const value = encode(
        ScheduleLeaseSchema,
        create(ScheduleLeaseSchema, { version: ContractVersion.CONTRACT_VERSION_1, holder, ttlMs: BigInt(ttlMs) }),
      );
      try {
        return expected === null ? await kv.create(key, value) : await kv.update(key, value, expected);
      } catch (error) {
        if (isWrongRevision(error)) return null;
        throw error;
      }
    },
    async release(revision) {
      await kv.delete(key, { previousSeq: revision }).catch((error: unknown) => {
        if (!isWrongRevision(error)) throw error;
      });
    },
  };
}

/** JetStream's answer to a compare-and-set whose expected revision is not the last one (or an existing key on create). */
function isWrongRevision(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${String((error as { code?: unknown }).code ?? '')}` : '';
  return /wrong last sequence|10071|key exists|already exists/i.test(text);
}
