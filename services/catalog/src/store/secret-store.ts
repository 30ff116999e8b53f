import { FluxiError, IdPrefix, newId, notFound, type SecretKeyRing } from '@fluxi/common';
import { isForeignKeyViolation, isUniqueViolation, type Database, type SqlExecutor } from '@fluxi/db';
import { secretSealContext, type OpenedSecretRow, type SecretDefinition, type SecretInfo } from '../domain/secret.js';

/** Never the value: it is opened only by `forAttempt` and the re-encryption pass. */
const COLUMNS = `id, name, pipeline_id AS "pipelineId", created_at AS "createdAt", updated_at AS "updatedAt",
  last_used_at AS "lastUsedAt"`;

/**
 * Secrets: values sealed with the installation's key ring (the row id bound in) on the way in,
 * opened only to give them to an attempt. No method returns a value to an API.
 */
export class SecretStore {
  constructor(
    private readonly db: Database,
    private readonly keys: SecretKeyRing,
  ) {}

  /** Every secret, or only those of one pipeline; by name, global first. */
  async list(pipelineId?: string | null): Promise<SecretInfo[]> {
    if (pipelineId === undefined || pipelineId === null) {
      return this.db.query<SecretInfo>(`SELECT ${COLUMNS} FROM secrets ORDER BY name, pipeline_id NULLS FIRST`);
    }
    return this.db.query<SecretInfo>(`SELECT ${COLUMNS} FROM secrets WHERE pipeline_id = $1 ORDER BY name`, [
      pipelineId,
    ]);
  }

  /** Creates the secret of (name, scope), or replaces its value (the row and its id stay). */
  async set(secret: SecretDefinition): Promise<SecretInfo> {
    try {
      return await this.db.transaction((tx) => this.write(tx, secret));
    } catch (error) {
      // Two first sets of one (name, scope) at once: the loser replaces the winner's value.
      if (isUniqueViolation(error, 'secrets_scope_name')) return this.db.transaction((tx) => this.write(tx, secret));
      if (isForeignKeyViolation(error)) throw pipelineNotFound(secret.pipelineId ?? '');
      throw error;
    }
  }

  async delete(id: string): Promise<void> {
    const rows = await this.db.query('DELETE FROM secrets WHERE id = $1 RETURNING id', [id]);
    if (rows.length === 0) throw notFound('secret', id);
  }

  /**
   * The secrets an attempt of a run of `pipelineId` may use among `names` (global ones, and the
   * pipeline's own), opened. A value no key of the ring opens throws INTERNAL naming the secret.
   */
  async forAttempt(names: readonly string[], pipelineId: string): Promise<OpenedSecretRow[]> {
    const rows = await this.db.query<{ id: string; name: string; pipelineId: string | null; sealed: string }>(
      `SELECT id, name, pipeline_id AS "pipelineId", value AS sealed FROM secrets
       WHERE name = ANY($1::text[]) AND (pipeline_id IS NULL OR pipeline_id = $2)`,
      [names, pipelineId],
    );
    return rows.map(({ sealed, ...row }) => {
      try {
        return { ...row, value: this.keys.open(sealed, secretSealContext(row.id)).plaintext };
      } catch {
        throw new FluxiError(
          'INTERNAL',
          `secret ${row.name} (${row.id}) does not open with the configured keys (another secrets.masterKey?): set it again`,
        );
      }
    });
  }

  /** Notes that an attempt was given these secrets. */
  async markUsed(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query('UPDATE secrets SET last_used_at = now() WHERE id = ANY($1::text[])', [ids]);
  }

  private async write(tx: SqlExecutor, secret: SecretDefinition): Promise<SecretInfo> {
    if (secret.pipelineId !== null) {
      const found = await tx.query('SELECT id FROM pipelines WHERE id = $1 FOR SHARE', [secret.pipelineId]);
      if (found.length === 0) throw pipelineNotFound(secret.pipelineId);
    }
    const existing = await tx.query<{ id: string }>(
      `SELECT id FROM secrets WHERE name = $1 AND COALESCE(pipeline_id, '') = COALESCE($2::text, '') FOR UPDATE`,
      [secret.name, secret.pipelineId],
    );
    const id = existing[0]?.id ?? newId(IdPrefix.secret);
    const sealed = this.keys.seal(secret.value, secretSealContext(id));
    const rows =
      existing[0] === undefined
        ? await tx.query<SecretInfo>(
            `INSERT INTO secrets (id, name, pipeline_id, value) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
            [id, secret.name, secret.pipelineId, sealed],
          )
        : await tx.query<SecretInfo>(
            `UPDATE secrets SET value = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
            [id, sealed],
          );
    return rows[0] as SecretInfo;
  }
}

function pipelineNotFound(pipelineId: string): FluxiError {
  return new FluxiError('NOT_FOUND', `pipeline ${pipelineId} not found`, { field: 'input.pipelineId' });
}

/** One sealed value of the catalog, with the associated data it was sealed with. */
export interface SealedValue {
  table: 'secrets' | 'pipelines' | 'jobs' | 'notification_subscriptions';
  id: string;
  /** A job's environment variable (table jobs). */
  name?: string;
  sealed: string;
  context: string;
}

/**
 * Every sealed value of the catalog (secrets, pipelines' webhook secrets, jobs' secret env values,
 * notification subscriptions' signing secrets),
 * rows locked for the caller's transaction: what the re-encryption pass goes through.
 */
export async function sealedValues(
  tx: SqlExecutor,
  contextOf: {
    secret(id: string): string;
    webhook(pipelineId: string): string;
    jobEnv(jobId: string, name: string): string;
    notification(subscriptionId: string): string;
  },
): Promise<SealedValue[]> {
  const secrets = await tx.query<{ id: string; sealed: string }>(
    'SELECT id, value AS sealed FROM secrets ORDER BY id FOR UPDATE',
  );
  const webhooks = await tx.query<{ id: string; sealed: string }>(
    'SELECT id, webhook_secret AS sealed FROM pipelines WHERE webhook_secret IS NOT NULL ORDER BY id FOR UPDATE',
  );
  const jobEnv = await tx.query<{ id: string; name: string; sealed: string }>(
    `SELECT j.id, e->>'name' AS name, e->>'sealed' AS sealed FROM jobs j, jsonb_array_elements(j.env) AS e
     WHERE e->>'secret' = 'true' AND e->>'sealed' IS NOT NULL ORDER BY j.id FOR UPDATE OF j`,
  );
  const notifications = await tx.query<{ id: string; sealed: string }>(
    'SELECT id, secret AS sealed FROM notification_subscriptions ORDER BY id FOR UPDATE',
  );
  return [
    ...secrets.map((row) => ({ table: 'secrets' as const, ...row, context: contextOf.secret(row.id) })),
    ...webhooks.map((row) => ({ table: 'pipelines' as const, ...row, context: contextOf.webhook(row.id) })),
    ...jobEnv.map((row) => ({ table: 'jobs' as const, ...row, context: contextOf.jobEnv(row.id, row.name) })),
    ...notifications.map((row) => ({
      table: 'notification_subscriptions' as const,
      ...row,
      context: contextOf.notification(row.id),
    })),
  ];
}

/** Stores a value sealed again (same row, same associated data). */
export async function updateSealed(tx: SqlExecutor, value: SealedValue, sealed: string): Promise<void> {
  if (value.table === 'secrets') {
    await tx.query('UPDATE secrets SET value = $2 WHERE id = $1', [value.id, sealed]);
  } else if (value.table === 'jobs') {
    // The one entry of that name in the job's env list, its order kept.
    await tx.query(
      `UPDATE jobs SET env = (
         SELECT jsonb_agg(CASE WHEN e->>'name' = $2 THEN jsonb_set(e, '{sealed}', to_jsonb($3::text)) ELSE e END
                          ORDER BY n)
         FROM jsonb_array_elements(env) WITH ORDINALITY AS t(e, n))
       WHERE id = $1`,
      [value.id, value.name, sealed],
    );
  } else if (value.table === 'notification_subscriptions') {
    await tx.query('UPDATE notification_subscriptions SET secret = $2 WHERE id = $1', [value.id, sealed]);
  } else {
    await tx.query('UPDATE pipelines SET webhook_secret = $2 WHERE id = $1', [value.id, sealed]);
  }
}
