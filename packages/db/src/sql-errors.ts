/** PostgreSQL error fields, as both `pg` and PGlite report them (shared by the services' stores). */
interface SqlError {
  code?: unknown;
  constraint?: unknown;
}

/** True when `error` is a unique violation (of `constraint`, when given). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return hasCode(error, '23505') && (constraint === undefined || (error as SqlError).constraint === constraint);
}

/** True when `error` is a foreign key violation (23001 is what an ON DELETE RESTRICT key raises). */
export function isForeignKeyViolation(error: unknown): boolean {
  return hasCode(error, '23503') || hasCode(error, '23001');
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as SqlError).code === code;
}
