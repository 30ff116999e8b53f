import { IdPrefix, newId, type Logger } from '@fluxi/common';
import { AuditEntrySchema, AuditOutcome, ContractVersion, create, Subjects, toBinary } from '@fluxi/contracts';
import type { JetStreamClient } from '@fluxi/messaging';

export type Outcome = 'success' | 'failure' | 'denied';

/** An audit entry as the gateway knows it. */
export interface AuditRecord {
  action: string;
  outcome: Outcome;
  userId?: string | undefined;
  userName?: string | undefined;
  keyId?: string | undefined;
  target?: string | undefined;
  details?: Record<string, unknown>;
  address?: string | undefined;
}

const OUTCOME: Record<Outcome, AuditOutcome> = {
  success: AuditOutcome.SUCCESS,
  failure: AuditOutcome.FAILURE,
  denied: AuditOutcome.DENIED,
};

/** Records audit entries: one log line each, and the entry on FLUXI_AUDIT for the catalog to store. */
export interface AuditLog {
  record(entry: AuditRecord): void;
  /** Resolves once every entry recorded so far was published (or given up on). */
  flush(): Promise<void>;
}

/**
 * Publishes each entry to JetStream (`fluxi.audit.entry`, message id = entry id, so a retry is
 * stored once), retrying a failed publish a few times; the log line is written at once either way,
 * so an entry that never reaches the catalog is still in the gateway's log.
 */
export function jetStreamAuditLog(js: JetStreamClient, logger: Logger): AuditLog {
  let pending: Promise<void> = Promise.resolve();
  const publish = async (id: string, data: Uint8Array): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await js.publish(Subjects.auditEntry, data, { msgID: id, timeout: 5000 });
        return;
      } catch (err) {
        if (attempt >= 3) {
          logger.warn({ err, auditId: id }, 'could not publish an audit entry; it is only in this log');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  };
  return {
    record(entry) {
      const id = newId(IdPrefix.auditEntry);
      const at = Date.now();
      logger.info(
        {
          audit: entry.action,
          outcome: entry.outcome,
          userId: entry.userId,
          userName: entry.userName,
          keyId: entry.keyId,
          target: entry.target,
          address: entry.address,
          details: entry.details,
          auditId: id,
        },
        'audit',
      );
      const message = create(AuditEntrySchema, {
        version: ContractVersion.CONTRACT_VERSION_1,
        id,
        atMs: BigInt(at),
        userId: entry.userId ?? '',
        userName: entry.userName ?? '',
        keyId: entry.keyId ?? '',
        action: entry.action,
        target: entry.target ?? '',
        outcome: OUTCOME[entry.outcome],
        detailsJson: JSON.stringify(entry.details ?? {}),
        address: entry.address ?? '',
      });
      const done = publish(id, toBinary(AuditEntrySchema, message));
      pending = Promise.all([pending, done]).then(() => undefined);
    },
    flush: () => pending,
  };
}
