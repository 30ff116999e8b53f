import { FluxiError, IdPrefix, newId, notFound, type SecretKeyRing } from '@fluxi/common';
import type { Database } from '@fluxi/db';
import {
  MAX_SUBSCRIPTIONS,
  notificationSealContext,
  type NotificationFields,
  type NotificationFormat,
  type NotificationSubscription,
} from '../domain/notification.js';

/** Never the secret: it is opened only by `target` (a delivery attempt) and the re-encryption pass. */
const COLUMNS = `id, name, url, events, pipeline_ids AS "pipelineIds", branches, format, enabled,
  disabled_reason AS "disabledReason", disabled_at AS "disabledAt", secret_set_at AS "secretSetAt",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Where a delivery goes, with the secret in the clear (for the scheduler only). */
export interface NotificationTargetRow {
  url: string;
  secret: string;
  enabled: boolean;
  format: NotificationFormat;
}

/** Notification subscriptions: secrets sealed with the key ring (the row id bound in) on the way in. */
export class NotificationStore {
  constructor(
    private readonly db: Database,
    private readonly keys: SecretKeyRing,
  ) {}

  /** Every subscription (or the enabled ones), oldest first. */
  async list(onlyEnabled = false): Promise<NotificationSubscription[]> {
    return this.db.query<NotificationSubscription>(
      `SELECT ${COLUMNS} FROM notification_subscriptions ${onlyEnabled ? 'WHERE enabled' : ''} ORDER BY id`,
    );
  }

  async require(id: string): Promise<NotificationSubscription> {
    const rows = await this.db.query<NotificationSubscription>(
      `SELECT ${COLUMNS} FROM notification_subscriptions WHERE id = $1`,
      [id],
    );
    if (rows[0] === undefined) throw notFound('notification subscription', id);
    return rows[0];
  }

  async create(fields: Required<NotificationFields>): Promise<NotificationSubscription> {
    return this.db.transaction(async (tx) => {
      // One creation at a time, so the limit holds under concurrent creations.
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('notification_subscriptions'))");
      const [{ count } = { count: 0 }] = await tx.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM notification_subscriptions',
      );
      if (count >= MAX_SUBSCRIPTIONS) {
        throw new FluxiError('BAD_USER_INPUT', `at most ${MAX_SUBSCRIPTIONS} notification subscriptions`);
      }
      const id = newId(IdPrefix.notificationSubscription);
      const rows = await tx.query<NotificationSubscription>(
        `INSERT INTO notification_subscriptions (id, name, url, events, pipeline_ids, branches, format, secret, enabled)
         VALUES ($1, $2, $3, $4::text::jsonb, $5::text::jsonb, $6::text::jsonb, $7, $8, $9) RETURNING ${COLUMNS}`,
        [
          id,
          fields.name,
          fields.url,
          JSON.stringify(fields.events),
          JSON.stringify(fields.pipelineIds),
          JSON.stringify(fields.branches),
          fields.format,
          this.keys.seal(fields.secret, notificationSealContext(id)),
          fields.enabled,
        ],
      );
      return rows[0] as NotificationSubscription;
    });
  }

  /** Changes the given fields; enabling clears the reason of an automatic disable. */
  async update(id: string, fields: NotificationFields): Promise<NotificationSubscription> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    const set = (column: string, value: unknown, cast = ''): void => {
      params.push(value);
      sets.push(`${column} = $${params.length}${cast}`);
    };
    if (fields.name !== undefined) set('name', fields.name);
    if (fields.url !== undefined) set('url', fields.url);
    if (fields.events !== undefined) set('events', JSON.stringify(fields.events), '::text::jsonb');
    if (fields.pipelineIds !== undefined) set('pipeline_ids', JSON.stringify(fields.pipelineIds), '::text::jsonb');
    if (fields.branches !== undefined) set('branches', JSON.stringify(fields.branches), '::text::jsonb');
    if (fields.format !== undefined) set('format', fields.format);
    if (fields.secret !== undefined) {
      set('secret', this.keys.seal(fields.secret, notificationSealContext(id)));
      sets.push('secret_set_at = now()');
    }
    if (fields.enabled !== undefined) {
      set('enabled', fields.enabled);
      if (fields.enabled) sets.push('disabled_reason = NULL, disabled_at = NULL');
    }
    if (sets.length === 0) return this.require(id);
    const rows = await this.db.query<NotificationSubscription>(
      `UPDATE notification_subscriptions SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      params,
    );
    if (rows[0] === undefined) throw notFound('notification subscription', id);
    return rows[0];
  }

  /** Disables an enabled subscription with the reason shown in the API; false when it was not enabled. */
  async disable(id: string, reason: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE notification_subscriptions SET enabled = false, disabled_reason = $2, disabled_at = now(),
         updated_at = now() WHERE id = $1 AND enabled RETURNING id`,
      [id, reason],
    );
    return rows.length > 0;
  }

  async delete(id: string): Promise<void> {
    const rows = await this.db.query('DELETE FROM notification_subscriptions WHERE id = $1 RETURNING id', [id]);
    if (rows.length === 0) throw notFound('notification subscription', id);
  }

  /** Where a delivery of the subscription goes, its secret opened; undefined once deleted. */
  async target(id: string): Promise<NotificationTargetRow | undefined> {
    const rows = await this.db.query<{ url: string; sealed: string; enabled: boolean; format: NotificationFormat }>(
      'SELECT url, secret AS sealed, enabled, format FROM notification_subscriptions WHERE id = $1',
      [id],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    let secret: string;
    try {
      secret = this.keys.open(row.sealed, notificationSealContext(id)).plaintext;
    } catch {
      throw new FluxiError(
        'INTERNAL',
        `the secret of notification subscription ${id} does not open with the configured keys: set it again`,
      );
    }
    return { url: row.url, secret, enabled: row.enabled, format: row.format };
  }
}
