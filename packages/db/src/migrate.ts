import type { Database } from './database.js';

export interface Migration {
  /** Ordered, never renamed: `001_jobs`, `002_runs`… */
  id: string;
  sql: string;
}

/**
 * Applies the migrations not yet recorded in the schema's `migrations` table, in
 * order, each in its own transaction, under an advisory lock so two instances of
 * a service starting together do not race. The same SQL runs on PostgreSQL and PGlite.
 */
export async function migrate(db: Database, migrations: readonly Migration[]): Promise<string[]> {
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`fluxi-migrate-${db.schema}`]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await tx.query<{ id: string }>('SELECT id FROM migrations')).map((r) => r.id));
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query('INSERT INTO migrations (id) VALUES ($1)', [migration.id]);
      applied.push(migration.id);
    }
  });
  return applied;
}

/** Splits a migration on semicolons at line ends (migrations hold no procedural bodies). */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
