import { badInput } from '@fluxi/common';

/** How an audited action ended. */
export type AuditOutcome = 'success' | 'failure' | 'denied';
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['success', 'failure', 'denied'];

/** One audit entry as stored and shown (details never hold a secret value). */
export interface AuditEntry {
  id: string;
  at: Date;
  userId: string | null;
  userName: string | null;
  keyId: string | null;
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  details: Record<string, unknown>;
  address: string | null;
}

/** What the audit list is filtered by (all optional, combined with AND). */
export interface AuditFilter {
  userId?: string;
  action?: string;
  target?: string;
  outcome?: AuditOutcome;
  from?: Date;
  to?: Date;
}

/** Where a page of the audit list (newest first) starts: after this entry. */
export interface AuditCursor {
  at: Date;
  id: string;
}

export const encodeAuditCursor = (cursor: AuditCursor): string =>
  Buffer.from(`${cursor.at.toISOString()}|${cursor.id}`, 'utf8').toString('base64url');

export function decodeAuditCursor(text: string, field: string): AuditCursor {
  const [at, id] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (id === undefined || id === '' || Number.isNaN(date.getTime())) throw badInput('invalid cursor', field);
  return { at: date, id };
}

export const MAX_AUDIT_PAGE = 500;

/** The page size asked for, within 1..MAX_AUDIT_PAGE (default 50). */
export function auditPageSize(first: number | null | undefined, field: string): number {
  if (first === undefined || first === null) return 50;
  if (!Number.isInteger(first) || first < 1 || first > MAX_AUDIT_PAGE)
    throw badInput(`first must be between 1 and ${MAX_AUDIT_PAGE}`, field);
  return first;
}

/** A date-time filter bound, at its field. */
export function auditTime(value: string | null | undefined, field: string): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw badInput(`${JSON.stringify(value)} is not a date-time (ISO 8601)`, field);
  return at;
}
