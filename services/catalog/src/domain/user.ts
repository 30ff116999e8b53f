import { badInput } from '@fluxi/common';
import { quote, requireName } from './names.js';

export type Role = 'admin' | 'writer' | 'reader';
export const ROLES: readonly Role[] = ['admin', 'writer', 'reader'];

export interface User {
  id: string;
  name: string;
  role: Role;
  createdAt: Date;
}

export interface UserDefinition {
  name: string;
  role: Role;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function validateUser(input: { name?: string | null; role?: string | null }, path = 'input'): UserDefinition {
  const name = requireName(input.name, 'user name', `${path}.name`);
  if (!isRole(input.role))
    throw badInput(`role ${quote(input.role ?? '')} is invalid: use one of ${ROLES.join(', ')}`, `${path}.role`);
  return { name, role: input.role };
}

/** API key names are free text (a reminder of where the key is used), 1-100 characters. */
export function validateApiKeyName(value: string | null | undefined, field: string): string {
  const name = (value ?? '').trim();
  if (name === '' || name.length > 100) throw badInput('API key name must be 1-100 characters', field);
  return name;
}
