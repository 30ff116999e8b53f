import { Kvm, type KV } from '@nats-io/kv';
import { LOG_LEVELS, setLogLevel, type Logger, type LogLevel } from '@fluxi/common';
import { Buckets, ContractVersion, create, LogSettingsSchema } from '@fluxi/contracts';
import { decode, encode } from './codec.js';
import type { Nats } from './nats.js';

export interface LogLevelFollower {
  stop(): Promise<void>;
}

async function settingsBucket(nats: Nats): Promise<KV> {
  return new Kvm(nats.nc).create(Buckets.settings.name, { history: 1 });
}

/** Sets the level every process of the installation logs at from now on. */
export async function putLogLevel(nats: Nats, level: LogLevel, changedBy: string): Promise<void> {
  const kv = await settingsBucket(nats);
  const settings = create(LogSettingsSchema, { version: ContractVersion.CONTRACT_VERSION_1, level, changedBy });
  await kv.put(Buckets.settings.logKey, encode(LogSettingsSchema, settings));
}

/**
 * Follows the installation's log level (KV bucket `fluxi-settings`, key `log`) and
 * applies each change to `root` and all its children. With `includeCurrent`, the
 * level already stored is applied at once (a process started by the launcher after
 * a change); otherwise only later changes are (a process whose own config decides
 * its level at start).
 */
export async function followLogLevel(
  nats: Nats,
  root: Logger,
  options: { includeCurrent: boolean },
): Promise<LogLevelFollower> {
  const kv = await settingsBucket(nats);
  const watcher = await kv.watch({
    key: Buckets.settings.logKey,
    ...(options.includeCurrent ? {} : { include: 'updates' as const }),
  });
  const loop = (async () => {
    for await (const entry of watcher) {
      if (entry.operation !== 'PUT') continue;
      try {
        const settings = decode(LogSettingsSchema, entry.value);
        const level = settings.level as LogLevel;
        if (!LOG_LEVELS.includes(level) || level === root.level) continue;
        setLogLevel(root, level);
        root.warn({ level, changedBy: settings.changedBy }, 'log level changed');
      } catch (error) {
        root.warn({ err: error }, 'unreadable log settings ignored');
      }
    }
  })();
  return {
    async stop() {
      watcher.stop();
      await loop;
    },
  };
}
