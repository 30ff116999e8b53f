import { badInput, FluxiError, IdPrefix, newId, notFound } from '@fluxi/common';
import type { Database } from '@fluxi/db';
import type { ApiKey, NewApiKey } from '../domain/api-key.js';
import type { Role, User, UserDefinition } from '../domain/user.js';
import { isUniqueViolation } from './sql-errors.js';

const USER_COLUMNS = 'id, name, role, created_at AS "createdAt"';
const KEY_COLUMNS = 'id, user_id AS "userId", name, created_at AS "createdAt", revoked_at AS "revokedAt"';

/** What verifying a key needs: its hash, whether it is revoked, and its user. */
export interface StoredKey {
  keyId: string;
  hash: string;
  revokedAt: Date | null;
  userId: string;
  userName: string;
  role: Role;
}

export const BOOTSTRAP_ADMIN_NAME = 'admin';

/** Users and their API keys (only the hash of a key is stored). */
export class AccessStore {
  constructor(private readonly db: Database) {}

  async createUser(user: UserDefinition): Promise<User> {
    const rows = await this.db
      .query<User>(`INSERT INTO users (id, name, role) VALUES ($1, $2, $3) RETURNING ${USER_COLUMNS}`, [
        newId(IdPrefix.user),
        user.name,
        user.role,
      ])
      .catch((error: unknown) => {
        if (isUniqueViolation(error, 'users_name_key')) {
          throw new FluxiError('CONFLICT', `a user named ${user.name} already exists`, { field: 'input.name' });
        }
        throw error;
      });
    return rows[0] as User;
  }

  async getUser(id: string): Promise<User | undefined> {
    return (await this.db.query<User>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]))[0];
  }

  async listUsers(): Promise<User[]> {
    return this.db.query<User>(`SELECT ${USER_COLUMNS} FROM users ORDER BY name`);
  }

  /** Stores a new key of an existing user; an unknown user is bad input at `input.userId`. */
  async createApiKey(userId: string, name: string, key: NewApiKey): Promise<ApiKey & { role: Role }> {
    const rows = await this.db.query<ApiKey & { role: Role }>(
      `INSERT INTO api_keys (id, user_id, name, hash) SELECT $1, id, $3, $4 FROM users WHERE id = $2
       RETURNING ${KEY_COLUMNS}, (SELECT role FROM users WHERE id = $2) AS role`,
      [key.id, userId, name, key.hash],
    );
    if (rows[0] === undefined) throw badInput(`user ${userId} does not exist`, 'input.userId');
    return rows[0];
  }

  async listApiKeys(userId: string): Promise<ApiKey[]> {
    return this.db.query<ApiKey>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY id`, [userId]);
  }

  /** Revokes a key (idempotent); NOT_FOUND when it never existed. */
  async revokeApiKey(id: string): Promise<ApiKey> {
    const rows = await this.db.query<ApiKey>(
      `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING ${KEY_COLUMNS}`,
      [id],
    );
    if (rows[0] === undefined) throw notFound('API key', id);
    return rows[0];
  }

  async findKey(keyId: string): Promise<StoredKey | undefined> {
    const rows = await this.db.query<StoredKey>(
      `SELECT k.id AS "keyId", k.hash, k.revoked_at AS "revokedAt", u.id AS "userId", u.name AS "userName", u.role
       FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = $1`,
      [keyId],
    );
    return rows[0];
  }

  /**
   * When no API key exists at all, creates the user `admin` (or makes the existing one admin) with
   * the given key, calls `beforeCommit` (to hand the plain key out) and commits.
   * Serialised by an advisory lock, so instances starting together make one admin.
   * Returns whether the key was created.
   */
  async bootstrapAdmin(key: NewApiKey, beforeCommit: () => Promise<void>): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['fluxi-catalog-bootstrap-admin']);
      const keys = await tx.query('SELECT id FROM api_keys LIMIT 1');
      if (keys.length > 0) return false;
      await tx.query(
        `INSERT INTO users (id, name, role) VALUES ($1, $2, 'admin') ON CONFLICT (name) DO UPDATE SET role = 'admin'`,
        [newId(IdPrefix.user), BOOTSTRAP_ADMIN_NAME],
      );
      await tx.query(
        `INSERT INTO api_keys (id, user_id, name, hash) SELECT $1, id, 'bootstrap', $2 FROM users WHERE name = $3`,
        [key.id, key.hash, BOOTSTRAP_ADMIN_NAME],
      );
      await beforeCommit();
      return true;
    });
  }
}
