import type { SqlExecutor } from '@fluxi/db';
import type { AuditCursor, AuditEntry, AuditFilter } from '../domain/audit.js';

const COLUMNS = `id, at, user_id AS "userId", user_name AS "userName", key_id AS "keyId", action, target, outcome,
  details, address`;

/** The audit log: entries written once (a repeat of an id is ignored), listed newest first. */
export class AuditStore {
  constructor(private readonly db: SqlExecutor) {}

  /** Stores entries; an entry already stored (same id: a redelivery) is left as it is. */
  async record(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const params: unknown[] = [];
    const rows = entries.map((entry) => {
      params.push(
        entry.id,
        entry.at.toISOString(),
        entry.userId,
        entry.userName,
        entry.keyId,
        entry.action,
        entry.target,
        entry.outcome,
        JSON.stringify(entry.details),
        entry.address,
      );
      const n = params.length;
      return `(${Array.from({ length: 10 }, (_, i) => `$${n - 9 + i}`).join(', ')})`;
    });
    await this.db.query(
      `INSERT INTO audit_entries (id, at, user_id, user_name, key_id, action, target, outcome, details, address)
       SELECT v.id, v.at::timestamptz, v.user_id, v.user_name, v.key_id, v.action, v.target, v.outcome,
         v.details::jsonb, v.address
       FROM (VALUES ${rows.join(', ')}) AS v (id, at, user_id, user_name, key_id, action, target, outcome, details, address)
       ON CONFLICT (id) DO NOTHING`,
      params,
    );
  }

  /** A page of entries matching `filter`, newest first, after `cursor`; one more than `limit` tells there is more. */
  async list(filter: AuditFilter, limit: number, cursor: AuditCursor | undefined): Promise<AuditEntry[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.userId !== undefined) where.push(`user_id = ${bind(filter.userId)}`);
    if (filter.action !== undefined) where.push(`action = ${bind(filter.action)}`);
    if (filter.target !== undefined) where.push(`target = ${bind(filter.target)}`);
    if (filter.outcome !== undefined) where.push(`outcome = ${bind(filter.outcome)}`);
    if (filter.from !== undefined) where.push(`at >= ${bind(filter.from)}`);
    if (filter.to !== undefined) where.push(`at < ${bind(filter.to)}`);
    if (cursor !== undefined) where.push(`(at, id) < (${bind(cursor.at)}::timestamptz, ${bind(cursor.id)})`);
    return this.db.query<AuditEntry>(
      `SELECT ${COLUMNS} FROM audit_entries ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
       ORDER BY at DESC, id DESC LIMIT ${bind(limit + 1)}`,
      params,
    );
  }

  /** Deletes entries older than `before`. Returns how many. */
  async prune(before: Date): Promise<number> {
    return (await this.db.query('DELETE FROM audit_entries WHERE at < $1 RETURNING id', [before])).length;
  }
}
