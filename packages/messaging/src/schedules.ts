import { Kvm, type KV } from '@nats-io/kv';
import type { Logger } from '@fluxi/common';
import { Buckets, ContractVersion, create, ScheduleDefinitionSchema, type ScheduleDefinition } from '@fluxi/contracts';
import { decode, encode } from './codec.js';
import type { Nats } from './nats.js';

/**
 * The schedules the scheduler fires (KV bucket `fluxi-schedules`): key = schedule id, value =
 * ScheduleDefinition. The catalog writes it (each enabled schedule put, a deleted or disabled
 * one deleted); schedulers watch it.
 */
async function schedulesBucket(nats: Nats): Promise<KV> {
  return new Kvm(nats.nc).create(Buckets.schedules.name, { history: 1 });
}

export interface ScheduleBucket {
  put(definition: ScheduleDefinition): Promise<void>;
  delete(id: string): Promise<void>;
  /** The ids of every schedule in the bucket. */
  ids(): Promise<string[]>;
}

/** Opens (creating it when missing) the schedule bucket, as the catalog writes it. */
export async function openScheduleBucket(nats: Nats): Promise<ScheduleBucket> {
  const kv = await schedulesBucket(nats);
  return {
    async put(definition) {
      const value = create(ScheduleDefinitionSchema, { ...definition, version: ContractVersion.CONTRACT_VERSION_1 });
      await kv.put(definition.id, encode(ScheduleDefinitionSchema, value));
    },
    async delete(id) {
      await kv.delete(id);
    },
    async ids() {
      const keys: string[] = [];
      for await (const key of await kv.keys()) keys.push(key);
      return keys;
    },
  };
}

export interface ScheduleWatch {
  stop(): Promise<void>;
}

/**
 * Calls `onChange` with every schedule in the bucket now, then with each change: the new
 * definition, or `undefined` (with the id) when it was deleted (schedule deleted or disabled).
 * An unreadable value is logged and treated as a deletion (it cannot be fired).
 */
export async function watchSchedules(
  nats: Nats,
  onChange: (id: string, definition: ScheduleDefinition | undefined) => void,
  logger: Logger,
): Promise<ScheduleWatch> {
  const kv = await schedulesBucket(nats);
  const watcher = await kv.watch();
  const loop = (async () => {
    for await (const entry of watcher) {
      if (entry.operation !== 'PUT') {
        onChange(entry.key, undefined);
        continue;
      }
      let definition: ScheduleDefinition | undefined;
      try {
        definition = decode(ScheduleDefinitionSchema, entry.value);
      } catch (error) {
        logger.warn({ err: error, scheduleId: entry.key }, 'unreadable schedule definition ignored');
      }
      onChange(entry.key, definition);
    }
  })();
  return {
    async stop() {
      watcher.stop();
      await loop;
    },
  };
}
