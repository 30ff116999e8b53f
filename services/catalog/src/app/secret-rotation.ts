import { SecretBoxError, SecretKeyRing, type Logger } from '@fluxi/common';
import type { Database } from '@fluxi/db';
import { secretSealContext } from '../domain/secret.js';
import { secretEnvSealContext } from '../domain/secret-env.js';
import { webhookSealContext } from '../domain/webhook-secrets.js';
import { notificationSealContext } from '../domain/notification.js';
import { sealedValues, updateSealed } from '../store/secret-store.js';

export interface RotationReport {
  /** Values a previous key had sealed, now sealed with the current key. */
  resealed: number;
  /** Values no configured key opens (left as they are; they must be set again). */
  unreadable: number;
}

/**
 * The re-encryption pass of a key rotation: every sealed value of the catalog (secrets, pipelines'
 * webhook secrets, jobs' secret env values, notification secrets) that a previous key of the ring sealed is sealed again with the current key, in
 * one transaction with the rows locked (a value set meanwhile waits, and is sealed with the current
 * key anyway). Values already current cost one decryption each; nothing is logged but counts and ids.
 */
export async function resealWithCurrentKey(db: Database, keys: SecretKeyRing, logger: Logger): Promise<RotationReport> {
  const report: RotationReport = { resealed: 0, unreadable: 0 };
  await db.transaction(async (tx) => {
    const values = await sealedValues(tx, {
      secret: secretSealContext,
      webhook: webhookSealContext,
      jobEnv: secretEnvSealContext,
      notification: notificationSealContext,
    });
    for (const value of values) {
      let sealed: string | undefined;
      try {
        sealed = keys.reseal(value.sealed, value.context);
      } catch (error) {
        if (!(error instanceof SecretBoxError)) throw error;
        report.unreadable += 1;
        logger.error(
          { table: value.table, id: value.id, name: value.name },
          'a sealed value does not open with any configured key (secrets.masterKey, secrets.previousKeys): set it again',
        );
        continue;
      }
      if (sealed === undefined) continue;
      await updateSealed(tx, value, sealed);
      report.resealed += 1;
    }
  });
  return report;
}

/** The installation's keys: the current one, and `secrets.previousKeys` to open values of before. */
export function keyRing(current: Buffer, previousKeys: readonly string[]): SecretKeyRing {
  return SecretKeyRing.fromConfig(current, previousKeys);
}

/** At start: the re-encryption pass when previous keys are configured (nothing to do without them). */
export async function resealAtStart(db: Database, keys: SecretKeyRing, logger: Logger): Promise<void> {
  if (keys.previous.length === 0) return;
  const report = await resealWithCurrentKey(db, keys, logger);
  logger.info(
    { ...report, previousKeys: keys.previous.length },
    report.unreadable === 0
      ? 'secrets re-encrypted with the current key: secrets.previousKeys may be removed'
      : 'secrets re-encrypted with the current key; some open with no configured key (logged above)',
  );
}
