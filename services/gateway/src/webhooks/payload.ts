import { createHash } from 'node:crypto';
import { ZERO_COMMIT } from './limits.js';

export type Json = Record<string, unknown>;

/** The body as a JSON object, or null when it is not one. */
export function parseBody(rawBody: Buffer | string): Json | null {
  try {
    const value: unknown = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function record(value: unknown): Json {
  return isRecord(value) ? value : {};
}

/** A non-empty string field, else null. */
export function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A commit id: 40 hex (SHA-1) or 64 hex (SHA-256 repositories), lower-cased. */
export function commitId(value: unknown): string | null {
  const id = text(value);
  return id !== null && /^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(id) ? id.toLowerCase() : null;
}

export function isZeroCommit(value: unknown): boolean {
  return typeof value === 'string' && /^0+$/.test(value) && value.length >= ZERO_COMMIT.length;
}

/** `refs/heads/x` → branch x, `refs/tags/v1` → tag v1, anything else null. */
export function splitRef(ref: string): { refType: 'branch' | 'tag'; refName: string } | null {
  if (ref.startsWith('refs/heads/') && ref.length > 'refs/heads/'.length) {
    return { refType: 'branch', refName: ref.slice('refs/heads/'.length) };
  }
  if (ref.startsWith('refs/tags/') && ref.length > 'refs/tags/'.length) {
    return { refType: 'tag', refName: ref.slice('refs/tags/'.length) };
  }
  return null;
}

/** A delivery id when the sender gave none: the same body gives the same id, so a resend is still once. */
export function bodyDeliveryId(rawBody: Buffer | string): string {
  return `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
}
