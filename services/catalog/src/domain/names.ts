import { badInput } from '@fluxi/common';

/**
 * The one naming rule of the catalog (jobs, pipelines, stages, entries, users):
 * 1-100 characters from letters, digits, `_`, `.` and `-`, starting with a letter or a digit.
 */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
export const NAME_RULE = '1-100 characters from letters, digits, "_", "." and "-", starting with a letter or a digit';

/** Environment variable names: shell identifiers. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const ENV_NAME_RULE = 'a shell identifier: letters, digits and "_", not starting with a digit';

/** Returns the valid name at `field`, or throws BAD_USER_INPUT naming the rule. */
export function requireName(value: unknown, what: string, field: string): string {
  if (value === undefined || value === null || value === '') throw badInput(`${what} is required`, field);
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw badInput(`${what} ${quote(value)} is invalid: use ${NAME_RULE}`, field);
  }
  return value;
}

export function isEnvName(value: string): boolean {
  return ENV_NAME.test(value);
}

/** Quotes a user value for an error message, shortened when long. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
