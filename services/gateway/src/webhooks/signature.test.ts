import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signGitHubBody, verifyGitHubSignature, verifyGitLabToken } from './signature.js';

const SECRET = 'It’s a Secret to Everybody';
const BODY = Buffer.from('{"ref":"refs/heads/main","after":"b4a6f8c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6"}');

describe('verifyGitHubSignature', () => {
  const valid = `sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}`;

  it('accepts the HMAC-SHA256 of the raw body under the secret, hex in any case', () => {
    expect(signGitHubBody(BODY, SECRET)).toBe(valid);
    expect(verifyGitHubSignature(BODY, valid, SECRET)).toEqual({ ok: true });
    expect(verifyGitHubSignature(BODY.toString('utf8'), valid, SECRET)).toEqual({ ok: true });
    expect(
      verifyGitHubSignature(
        BODY,
        valid.replace('sha256=', 'sha256=').toUpperCase().replace('SHA256=', 'sha256='),
        SECRET,
      ),
    ).toEqual({ ok: true });
  });

  it("matches GitHub's documented test vector", () => {
    // docs.github.com, "Validating webhook deliveries": secret "It's a Secret to Everybody", payload "Hello, World!".
    expect(signGitHubBody('Hello, World!', "It's a Secret to Everybody")).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('refuses a wrong secret, a changed body, a missing or malformed header, no secret', () => {
    expect(verifyGitHubSignature(BODY, valid, 'another secret')).toEqual({
      ok: false,
      reason: 'X-Hub-Signature-256 does not match the body and the secret',
    });
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(BODY.toString()), null, 2));
    expect(verifyGitHubSignature(reserialized, valid, SECRET).ok).toBe(false);
    expect(verifyGitHubSignature(BODY, undefined, SECRET)).toEqual({
      ok: false,
      reason: 'X-Hub-Signature-256 is missing',
    });
    for (const malformed of [
      valid.slice(7),
      `sha1=${valid.slice(7)}`,
      valid.slice(0, -2),
      `${valid}00`,
      'sha256=',
      'sha256=zz' + valid.slice(9),
    ]) {
      expect(verifyGitHubSignature(BODY, malformed, SECRET)).toEqual({
        ok: false,
        reason: 'X-Hub-Signature-256 is not sha256=<64 hex digits>',
      });
    }
    expect(verifyGitHubSignature(BODY, valid, '')).toEqual({
      ok: false,
      reason: 'no webhook secret is set for this pipeline',
    });
  });
});

describe('verifyGitLabToken', () => {
  it('accepts the secret itself, refuses anything else without throwing on other lengths', () => {
    expect(verifyGitLabToken('s3cr3t-token', 's3cr3t-token')).toEqual({ ok: true });
    for (const wrong of ['s3cr3t-tokeN', 's3cr3t', 's3cr3t-token-and-more', ' s3cr3t-token']) {
      expect(verifyGitLabToken(wrong, 's3cr3t-token')).toEqual({
        ok: false,
        reason: 'X-Gitlab-Token does not match the secret',
      });
    }
    expect(verifyGitLabToken(undefined, 's3cr3t-token')).toEqual({ ok: false, reason: 'X-Gitlab-Token is missing' });
    expect(verifyGitLabToken('', '')).toEqual({ ok: false, reason: 'no webhook secret is set for this pipeline' });
  });
});
