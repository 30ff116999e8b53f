import { badInput } from '@fluxi/common';
import { quote, requireName } from './names.js';

export type Role = 'admin' | 'writer' | 'reader';
export const ROLES: readonly Role[] = ['admin', 'writer', 'reader'];

export interface User {
  id: string;
  name: string;
  role: Role;
  createdAt: Date;
  /** When it was disabled (its keys and sessions are refused); null while enabled. */
  disabledAt: Date | null;
}

export interface UserDefinition {
  name: string;
  role: Role;
}

/** What an admin may change of a user (absent: unchanged). */
export interface UserChange {
  role?: Role;
  disabled?: boolean;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

function validRole(role: string | null | undefined, field: string): Role {
  if (!isRole(role)) throw badInput(`role ${quote(role ?? '')} is invalid: use one of ${ROLES.join(', ')}`, field);
  return role;
}

export function validateUser(input: { name?: string | null; role?: string | null }, path = 'input'): UserDefinition {
  const name = requireName(input.name, 'user name', `${path}.name`);
  return { name, role: validRole(input.role, `${path}.role`) };
}

export function validateUserChange(
  input: { role?: string | null; disabled?: boolean | null },
  path = 'input',
): UserChange {
  return {
    ...(input.role === undefined || input.role === null ? {} : { role: validRole(input.role, `${path}.role`) }),
    ...(input.disabled === undefined || input.disabled === null ? {} : { disabled: input.disabled }),
  };
}

/** An enabled admin: what must remain at least once. */
export const isActiveAdmin = (user: { role: Role; disabledAt: Date | null }): boolean =>
  user.role === 'admin' && user.disabledAt === null;

/**
 * Why a change (or, with `change` undefined, a deletion) of `user` is refused, given how many
 * enabled admins there are: the last one cannot be demoted, disabled or deleted.
 */
export function lastAdminRefusal(
  user: { role: Role; disabledAt: Date | null },
  activeAdmins: number,
  change: UserChange | undefined,
): string | undefined {
  if (!isActiveAdmin(user) || activeAdmins > 1) return undefined;
  if (change === undefined) return 'the last admin cannot be deleted: make another user admin first';
  if (change.role !== undefined && change.role !== 'admin')
    return 'the last admin cannot lose the admin role: make another user admin first';
  if (change.disabled === true) return 'the last admin cannot be disabled: make another user admin first';
  return undefined;
}

/** When an API key expires: a future date, or none. */
export function validateExpiry(value: string | null | undefined, now: Date, field: string): Date | null {
  if (value === undefined || value === null || value === '') return null;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw badInput(`expiry ${quote(value)} is not a date-time (ISO 8601)`, field);
  if (at.getTime() <= now.getTime()) throw badInput('expiry must be in the future', field);
  return at;
}

/** API key names are free text (a reminder of where the key is used), 1-100 characters. */
export function validateApiKeyName(value: string | null | undefined, field: string): string {
  const name = (value ?? '').trim();
  if (name === '' || name.length > 100) throw badInput('API key name must be 1-100 characters', field);
  return name;
}
