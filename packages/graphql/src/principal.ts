import { FluxiError } from '@fluxi/common';

export type Role = 'admin' | 'writer' | 'reader';

/** Who is calling: set by the gateway after it checked the API key. */
export interface Principal {
  userId: string;
  userName: string;
  role: Role;
  keyId: string;
}

/** Header the gateway uses to pass the authenticated principal to subgraphs. */
export const PRINCIPAL_HEADER = 'x-fluxi-principal';

const RANK: Record<Role, number> = { reader: 1, writer: 2, admin: 3 };

export function encodePrincipal(principal: Principal): string {
  return Buffer.from(JSON.stringify(principal)).toString('base64url');
}

export function decodePrincipal(header: string | undefined): Principal | undefined {
  if (header === undefined || header === '') return undefined;
  try {
    const value = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Principal;
    return value.role in RANK ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Throws FORBIDDEN unless the principal has at least `role`. */
export function requireRole(principal: Principal | undefined, role: Role, action: string): Principal {
  if (principal === undefined) throw new FluxiError('UNAUTHENTICATED', 'an API key is required');
  if (RANK[principal.role] < RANK[role]) {
    throw new FluxiError('FORBIDDEN', `${action} needs the ${role} role; your key has the ${principal.role} role`);
  }
  return principal;
}
