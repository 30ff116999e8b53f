import { badInput, FluxiError, IdPrefix, newId, notFound } from '@fluxi/common';
import { isUniqueViolation, type Database, type SqlExecutor } from '@fluxi/db';
import { isSessionId, type ApiKey, type NewApiKey } from '../domain/api-key.js';
import { lastAdminRefusal, type Role, type User, type UserChange, type UserDefinition } from '../domain/user.js';

const USER_COLUMNS = 'id, name, role, created_at AS "createdAt", disabled_at AS "disabledAt"';
const KEY_COLUMNS = `id, user_id AS "userId", name, created_at AS "createdAt", revoked_at AS "revokedAt",
  expires_at AS "expiresAt", last_used_at AS "lastUsedAt"`;

/** What verifying a key or a session token needs: its hash, its state, and its user. */
export interface StoredKey {
  keyId: string;
  hash: string;
  revokedAt: Date | null;
  expiresAt: Date | null;
  userId: string;
  userName: string;
  role: Role;
  userDisabledAt: Date | null;
}

/** What a login checks. */
export interface LoginUser {
  id: string;
  name: string;
  role: Role;
  disabledAt: Date | null;
  passwordHash: string | null;
}

export const BOOTSTRAP_ADMIN_NAME = 'admin';
/** Serialises changes that could leave no admin (and the first admin's creation). */
const ADMIN_LOCK = 'fluxi-catalog-admins';

/** Users, their API keys and login sessions (only the hash of a key or token is stored). */
export class AccessStore {
  constructor(private readonly db: Database) {}

  async createUser(user: UserDefinition, passwordHash: string | null = null): Promise<User> {
    const rows = await this.db
      .query<User>(
        `INSERT INTO users (id, name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING ${USER_COLUMNS}`,
        [newId(IdPrefix.user), user.name, user.role, passwordHash],
      )
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

  async hasPassword(id: string): Promise<boolean> {
    const rows = await this.db.query('SELECT 1 FROM users WHERE id = $1 AND password_hash IS NOT NULL', [id]);
    return rows.length > 0;
  }

  async listUsers(): Promise<User[]> {
    return this.db.query<User>(`SELECT ${USER_COLUMNS} FROM users ORDER BY name`);
  }

  /**
   * Changes a user's role, enabled state or password; the last enabled admin keeps the admin
   * role and stays enabled (CONFLICT otherwise). NOT_FOUND for an unknown id.
   */
  async updateUser(id: string, change: UserChange, passwordHash?: string): Promise<User> {
    return this.db.transaction(async (tx) => {
      const user = await this.lockedUserWithAdmins(tx, id, change);
      const rows = await tx.query<User>(
        `UPDATE users SET role = $2,
           disabled_at = CASE WHEN $3::boolean IS NULL THEN disabled_at WHEN $3 THEN COALESCE(disabled_at, now()) ELSE NULL END,
           password_hash = COALESCE($4, password_hash)
         WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [id, change.role ?? user.role, change.disabled ?? null, passwordHash ?? null],
      );
      return rows[0] as User;
    });
  }

  /** Deletes a user with their keys and sessions; the last enabled admin cannot be deleted. */
  async deleteUser(id: string): Promise<User> {
    return this.db.transaction(async (tx) => {
      const user = await this.lockedUserWithAdmins(tx, id, undefined);
      await tx.query('DELETE FROM users WHERE id = $1', [id]);
      return user;
    });
  }

  private async lockedUserWithAdmins(tx: SqlExecutor, id: string, change: UserChange | undefined): Promise<User> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [ADMIN_LOCK]);
    const user = (await tx.query<User>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]))[0];
    if (user === undefined) throw notFound('user', id);
    const admins = await tx.query<{ n: string | number }>(
      "SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL",
    );
    const refusal = lastAdminRefusal(user, Number(admins[0]?.n ?? 0), change);
    if (refusal !== undefined) throw new FluxiError('CONFLICT', refusal, { field: change?.role ? 'input.role' : 'id' });
    return user;
  }

  /** Stores a new key of an existing user; an unknown user is bad input at `input.userId`. */
  async createApiKey(
    userId: string,
    name: string,
    key: NewApiKey,
    expiresAt: Date | null,
  ): Promise<ApiKey & { role: Role }> {
    const rows = await this.db.query<ApiKey & { role: Role }>(
      `INSERT INTO api_keys (id, user_id, name, hash, expires_at) SELECT $1, id, $3, $4, $5 FROM users WHERE id = $2
       RETURNING ${KEY_COLUMNS}, (SELECT role FROM users WHERE id = $2) AS role`,
      [key.id, userId, name, key.hash, expiresAt],
    );
    if (rows[0] === undefined) throw badInput(`user ${userId} does not exist`, 'input.userId');
    return rows[0];
  }

  async listApiKeys(userId: string): Promise<ApiKey[]> {
    return this.db.query<ApiKey>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY id`, [userId]);
  }

  async getApiKey(id: string): Promise<ApiKey | undefined> {
    return (await this.db.query<ApiKey>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`, [id]))[0];
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

  /** A key or a session token by its id, with its user. */
  async findKey(keyId: string): Promise<StoredKey | undefined> {
    const table = isSessionId(keyId) ? 'sessions' : 'api_keys';
    const rows = await this.db.query<StoredKey>(
      `SELECT k.id AS "keyId", k.hash, k.revoked_at AS "revokedAt", k.expires_at AS "expiresAt", u.id AS "userId",
         u.name AS "userName", u.role, u.disabled_at AS "userDisabledAt"
       FROM ${table} k JOIN users u ON u.id = k.user_id WHERE k.id = $1`,
      [keyId],
    );
    return rows[0];
  }

  /** Records that a key was used (at most one write a minute per key). */
  async touchKey(keyId: string): Promise<void> {
    if (isSessionId(keyId)) return;
    await this.db.query(
      `UPDATE api_keys SET last_used_at = now()
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [keyId],
    );
  }

  async findLoginUser(name: string): Promise<LoginUser | undefined> {
    const rows = await this.db.query<LoginUser>(
      `SELECT id, name, role, disabled_at AS "disabledAt", password_hash AS "passwordHash" FROM users WHERE name = $1`,
      [name],
    );
    return rows[0];
  }

  async createSession(userId: string, token: NewApiKey, expiresAt: Date): Promise<void> {
    await this.db.query('INSERT INTO sessions (id, user_id, hash, expires_at) VALUES ($1, $2, $3, $4)', [
      token.id,
      userId,
      token.hash,
      expiresAt,
    ]);
  }

  /** Ends a session (idempotent); false when there is no such session. */
  async revokeSession(id: string): Promise<boolean> {
    const rows = await this.db.query(
      'UPDATE sessions SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING id',
      [id],
    );
    return rows.length > 0;
  }

  /** Deletes sessions that ended (expired or revoked) before `before`. Returns how many. */
  async pruneSessions(before: Date): Promise<number> {
    const rows = await this.db.query('DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1 RETURNING id', [
      before,
    ]);
    return rows.length;
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
        `INSERT INTO users (id, name, role) VALUES ($1, $2, 'admin')
         ON CONFLICT (name) DO UPDATE SET role = 'admin', disabled_at = NULL`,
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
