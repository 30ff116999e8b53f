import type { Logger } from '@fluxi/common';
import { AuditEntrySchema, AuditOutcome, Streams } from '@fluxi/contracts';
import { decode, startDurableConsumer, type DurableConsumer, type JsMsg, type Nats } from '@fluxi/messaging';
import type { AuditEntry, AuditOutcome as OutcomeName } from '../../domain/audit.js';
import type { AuditStore } from '../../store/audit-store.js';

/** Durable consumer name on FLUXI_AUDIT: the catalog's position in the audit entries. */
export const AUDIT_DURABLE = 'catalog-audit';

const OUTCOME: Record<AuditOutcome, OutcomeName | undefined> = {
  [AuditOutcome.UNSPECIFIED]: undefined,
  [AuditOutcome.SUCCESS]: 'success',
  [AuditOutcome.FAILURE]: 'failure',
  [AuditOutcome.DENIED]: 'denied',
};

/** An entry as stored; undefined for one that cannot be (no id, no action). */
export function auditEntryOf(data: Uint8Array): AuditEntry | undefined {
  const entry = decode(AuditEntrySchema, data);
  const outcome = OUTCOME[entry.outcome];
  if (entry.id === '' || entry.action === '' || outcome === undefined) return undefined;
  let details: Record<string, unknown> = {};
  try {
    const parsed: unknown = entry.detailsJson === '' ? {} : JSON.parse(entry.detailsJson);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      details = parsed as Record<string, unknown>;
  } catch {
    details = { unreadable: true };
  }
  const orNull = (text: string): string | null => (text === '' ? null : text);
  return {
    id: entry.id,
    at: new Date(Number(entry.atMs)),
    userId: orNull(entry.userId),
    userName: orNull(entry.userName),
    keyId: orNull(entry.keyId),
    action: entry.action,
    target: orNull(entry.target),
    outcome,
    details,
    address: orNull(entry.address),
  };
}

/** Stores the audit entries published on FLUXI_AUDIT (batched; acked after the insert, repeats ignored). */
export function startAuditIngestor(nats: Nats, audit: AuditStore, logger: Logger): Promise<DurableConsumer> {
  return startDurableConsumer(nats, {
    stream: Streams.audit.name,
    durable: AUDIT_DURABLE,
    batchSize: 200,
    maxWaitMs: 100,
    logger,
    handle: async (messages: JsMsg[]) => {
      const entries: AuditEntry[] = [];
      for (const message of messages) {
        try {
          const entry = auditEntryOf(message.data);
          if (entry === undefined) logger.warn({ streamSeq: message.seq }, 'skipping an incomplete audit entry');
          else entries.push(entry);
        } catch (err) {
          logger.warn({ err, streamSeq: message.seq }, 'skipping an undecodable audit entry');
        }
      }
      await audit.record(entries);
    },
  });
}
