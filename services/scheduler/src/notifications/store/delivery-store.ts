import { IdPrefix, newId } from '@fluxi/common';
import type { Database } from '@fluxi/db';
import type { NotificationPayload } from '../domain/payload.js';

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'DEAD';

export interface NewDelivery {
  subscriptionId: string;
  occurrenceKey: string;
  pipelineRunId: string | null;
  payload: NotificationPayload;
}

export interface DueDelivery {
  id: string;
  subscriptionId: string;
  payload: NotificationPayload;
  attempts: number;
  lastAttempt: number;
}

export interface AttemptRecord {
  attempt: number;
  at: Date;
  statusCode: number | null;
  durationMs: number;
  responseExcerpt: string | null;
  error: string | null;
}

export interface DeliveryRow {
  id: string;
  subscriptionId: string;
  eventType: string;
  pipelineRunId: string | null;
  payload: NotificationPayload;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  deadReason: string | null;
  createdAt: Date;
  attemptLog: Array<Omit<AttemptRecord, 'at'> & { at: string }>;
}

const ROW = `d.id, d.subscription_id AS "subscriptionId", d.event_type AS "eventType",
  d.pipeline_run_id AS "pipelineRunId", d.payload, d.status, d.attempts,
  CASE WHEN d.status = 'PENDING' THEN d.next_attempt_at END AS "nextAttemptAt", d.dead_reason AS "deadReason",
  d.created_at AS "createdAt",
  COALESCE((SELECT jsonb_agg(jsonb_build_object('attempt', a.attempt, 'at', a.at, 'statusCode', a.status_code,
      'durationMs', a.duration_ms, 'responseExcerpt', a.response_excerpt, 'error', a.error) ORDER BY a.attempt)
    FROM notification_attempts a WHERE a.delivery_id = d.id), '[]'::jsonb) AS "attemptLog"`;

/** The notification outbox, its attempts (the delivery log) and the failures in a row per subscription. */
export class DeliveryStore {
  constructor(private readonly db: Database) {}

  /** Records deliveries (one per subscription and occurrence: a repeat is ignored); returns how many are new. */
  async record(deliveries: readonly NewDelivery[], lastAttempt: number, now: Date): Promise<number> {
    let created = 0;
    for (const d of deliveries) {
      const rows = await this.db.query(
        `INSERT INTO notification_deliveries (id, subscription_id, occurrence_key, event_type, pipeline_run_id, payload,
           status, last_attempt, next_attempt_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, 'PENDING', $7, $8, $8, $8)
         ON CONFLICT ON CONSTRAINT notification_deliveries_once DO NOTHING RETURNING id`,
        [
          newId(IdPrefix.notificationDelivery),
          d.subscriptionId,
          d.occurrenceKey,
          d.payload.type,
          d.pipelineRunId,
          JSON.stringify(d.payload),
          lastAttempt,
          now.toISOString(),
        ],
      );
      created += rows.length;
    }
    return created;
  }

  /**
   * Takes up to `limit` due deliveries, the oldest of each subscription that has none being sent
   * (by this replica: `busy`, or another: a live lock), and holds them until `lockedUntil`.
   */
  async claimDue(now: Date, lockedUntil: Date, limit: number, busy: readonly string[]): Promise<DueDelivery[]> {
    if (limit <= 0) return [];
    const candidates = await this.db.query<{ id: string }>(
      `SELECT id FROM (
         SELECT d.id, d.next_attempt_at,
           row_number() OVER (PARTITION BY d.subscription_id ORDER BY d.next_attempt_at, d.id) AS n
         FROM notification_deliveries d
         WHERE d.status = 'PENDING' AND d.next_attempt_at <= $1
           AND NOT (d.subscription_id = ANY($2::text[]))
           AND NOT EXISTS (SELECT 1 FROM notification_deliveries o WHERE o.subscription_id = d.subscription_id
                           AND o.status = 'PENDING' AND o.locked_until > $1)
       ) t WHERE n = 1 ORDER BY next_attempt_at LIMIT $3`,
      [now.toISOString(), busy, limit],
    );
    if (candidates.length === 0) return [];
    // A row another replica took meanwhile no longer passes the WHERE: it is not returned.
    return this.db.query<DueDelivery>(
      `UPDATE notification_deliveries SET locked_until = $2
       WHERE id = ANY($1::text[]) AND status = 'PENDING' AND (locked_until IS NULL OR locked_until <= $3)
       RETURNING id, subscription_id AS "subscriptionId", payload, attempts, last_attempt AS "lastAttempt"`,
      [candidates.map((c) => c.id), lockedUntil.toISOString(), now.toISOString()],
    );
  }

  /**
   * Stores an attempt and what became of its delivery (`retryAt` for PENDING), and counts the
   * subscription's failures in a row; returns that count (0 after a success).
   */
  async finishAttempt(
    delivery: { id: string; subscriptionId: string },
    attempt: AttemptRecord,
    outcome: { status: DeliveryStatus; retryAt?: Date },
  ): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO notification_attempts (delivery_id, attempt, at, status_code, duration_ms, response_excerpt, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [
          delivery.id,
          attempt.attempt,
          attempt.at.toISOString(),
          attempt.statusCode,
          attempt.durationMs,
          attempt.responseExcerpt,
          attempt.error,
        ],
      );
      await tx.query(
        `UPDATE notification_deliveries SET status = $2, attempts = $3, next_attempt_at = COALESCE($4, next_attempt_at),
           locked_until = NULL, updated_at = $5 WHERE id = $1`,
        [
          delivery.id,
          outcome.status,
          attempt.attempt,
          outcome.retryAt?.toISOString() ?? null,
          attempt.at.toISOString(),
        ],
      );
      const failed = outcome.status !== 'DELIVERED';
      const rows = await tx.query<{ failures: number }>(
        `INSERT INTO notification_receivers (subscription_id, consecutive_failures) VALUES ($1, $2)
         ON CONFLICT (subscription_id) DO UPDATE SET consecutive_failures =
           CASE WHEN $3 THEN notification_receivers.consecutive_failures + 1 ELSE 0 END
         RETURNING consecutive_failures AS failures`,
        [delivery.subscriptionId, failed ? 1 : 0, failed],
      );
      return rows[0]?.failures ?? 0;
    });
  }

  /** Releases a claimed delivery without an attempt (the catalog could not be asked): tried again at `retryAt`. */
  async release(id: string, retryAt: Date): Promise<void> {
    await this.db.query('UPDATE notification_deliveries SET locked_until = NULL, next_attempt_at = $2 WHERE id = $1', [
      id,
      retryAt.toISOString(),
    ]);
  }

  /** Gives up every pending delivery of a subscription (disabled, deleted) with the reason. */
  async abandonPending(subscriptionId: string, reason: string, now: Date): Promise<number> {
    const rows = await this.db.query(
      `UPDATE notification_deliveries SET status = 'DEAD', dead_reason = $2, locked_until = NULL, updated_at = $3
       WHERE subscription_id = $1 AND status = 'PENDING' RETURNING id`,
      [subscriptionId, reason, now.toISOString()],
    );
    return rows.length;
  }

  async resetFailures(subscriptionId: string): Promise<void> {
    await this.db.query('UPDATE notification_receivers SET consecutive_failures = 0 WHERE subscription_id = $1', [
      subscriptionId,
    ]);
  }

  /** Sends a delivery once more (one attempt, numbered after the last); undefined when unknown. */
  async redeliver(id: string, now: Date): Promise<DeliveryRow | undefined> {
    const rows = await this.db.query(
      `UPDATE notification_deliveries SET status = 'PENDING', dead_reason = NULL, next_attempt_at = $2, updated_at = $2,
         last_attempt = CASE WHEN status = 'PENDING' THEN last_attempt ELSE attempts + 1 END
       WHERE id = $1 RETURNING id`,
      [id, now.toISOString()],
    );
    return rows.length === 0 ? undefined : this.get(id);
  }

  async get(id: string): Promise<DeliveryRow | undefined> {
    const rows = await this.db.query<DeliveryRow>(`SELECT ${ROW} FROM notification_deliveries d WHERE d.id = $1`, [id]);
    return rows[0];
  }

  /** A subscription's deliveries, newest first, after the cursor `afterId` (an id of the previous page). */
  async page(subscriptionId: string, limit: number, afterId: string | null): Promise<DeliveryRow[]> {
    return this.db.query<DeliveryRow>(
      `SELECT ${ROW} FROM notification_deliveries d
       WHERE d.subscription_id = $1 AND ($2::text IS NULL OR d.id < $2) ORDER BY d.id DESC LIMIT $3`,
      [subscriptionId, afterId, limit],
    );
  }

  /** Deletes delivered and given-up deliveries last changed before `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    const rows = await this.db.query(
      `DELETE FROM notification_deliveries WHERE status <> 'PENDING' AND updated_at < $1 RETURNING 1`,
      [before.toISOString()],
    );
    return rows.length;
  }
}
