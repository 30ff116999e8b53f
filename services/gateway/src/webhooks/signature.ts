import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

const GITHUB_SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * GitHub's `X-Hub-Signature-256`: `sha256=` then the hex HMAC-SHA256 of the raw body under the
 * webhook secret. The body must be the bytes received, before any JSON parsing.
 * Compared in constant time; a header of the wrong shape is refused before any comparison.
 */
export function verifyGitHubSignature(
  rawBody: Buffer | string,
  signatureHeader: string | undefined,
  secret: string,
): SignatureCheck {
  if (secret === '') return { ok: false, reason: 'no webhook secret is set for this pipeline' };
  if (signatureHeader === undefined) return { ok: false, reason: 'X-Hub-Signature-256 is missing' };
  const match = GITHUB_SIGNATURE.exec(signatureHeader.trim());
  if (match === null) return { ok: false, reason: 'X-Hub-Signature-256 is not sha256=<64 hex digits>' };
  const given = Buffer.from(match[1] as string, 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(given, expected)
    ? { ok: true }
    : { ok: false, reason: 'X-Hub-Signature-256 does not match the body and the secret' };
}

/**
 * GitLab's `X-Gitlab-Token`: the secret itself. Both sides are hashed first so the comparison is
 * constant-time and of equal length whatever was sent (no length leak, no throw).
 */
export function verifyGitLabToken(tokenHeader: string | undefined, secret: string): SignatureCheck {
  if (secret === '') return { ok: false, reason: 'no webhook secret is set for this pipeline' };
  if (tokenHeader === undefined) return { ok: false, reason: 'X-Gitlab-Token is missing' };
  const given = createHash('sha256').update(tokenHeader, 'utf8').digest();
  const expected = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(given, expected)
    ? { ok: true }
    : { ok: false, reason: 'X-Gitlab-Token does not match the secret' };
}

/** The signature header GitHub would send for `rawBody` (tests, and documentation of the format). */
export function signGitHubBody(rawBody: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
