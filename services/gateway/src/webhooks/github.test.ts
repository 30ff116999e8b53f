import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchFilters } from './filters.js';
import { parseGitHubDelivery } from './github.js';
import { WEBHOOK_MAX_BODY_BYTES } from './limits.js';
import { repositoryKey } from '@fluxi/common';
import { signGitHubBody, verifyGitHubSignature } from './signature.js';

const SECRET = 'fluxi-github-secret';
const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url));

/** Headers as GitHub sends them (Node lower-cases the names). */
function headers(event: string, body: Buffer, delivery = '72d3162e-cc78-11e3-81ab-4c9367dc0958') {
  return {
    'x-github-event': event,
    'x-github-delivery': delivery,
    'x-github-hook-id': '512345678',
    'x-hub-signature-256': signGitHubBody(body, SECRET),
    'user-agent': 'GitHub-Hookshot/044aadd',
    'content-type': 'application/json',
  };
}

describe('GitHub push to a branch', () => {
  const body = fixture('github-push-branch');

  it('is a trigger with the head commit, its author and message, the compare URL, the delivery id', () => {
    const result = parseGitHubDelivery(headers('push', body), body);
    expect(result).toEqual({
      kind: 'trigger',
      provider: 'github',
      deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      event: 'push',
      repository: {
        key: 'github.com/fluxi-dev/hello-ci',
        cloneUrl: 'https://github.com/fluxi-dev/hello-ci.git',
        sshUrl: 'git@github.com:fluxi-dev/hello-ci.git',
        webUrl: 'https://github.com/fluxi-dev/hello-ci',
      },
      ref: 'refs/heads/main',
      refName: 'main',
      refType: 'branch',
      commit: 'b4a6f8c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6',
      author: { name: 'Ada Lovelace', email: 'ada@example.com', username: 'ada-l' },
      message: 'Print the greeting in build.sh\n\nThe CI prints it so that a run shows the file it checked out.',
      compareUrl: 'https://github.com/fluxi-dev/hello-ci/compare/9049f1265b7d...b4a6f8c2d1e0',
    });
  });

  it('is verified against the raw body with the pipeline secret', () => {
    const sent = headers('push', body);
    expect(verifyGitHubSignature(body, sent['x-hub-signature-256'], SECRET)).toEqual({ ok: true });
    expect(verifyGitHubSignature(body, sent['x-hub-signature-256'], 'wrong')).toMatchObject({ ok: false });
    expect(verifyGitHubSignature(body, undefined, SECRET)).toEqual({
      ok: false,
      reason: 'X-Hub-Signature-256 is missing',
    });
  });

  it("matches the pipeline's repository in any URL form, and misses a branch filter", () => {
    const result = parseGitHubDelivery(headers('push', body), body);
    if (result.kind !== 'trigger') throw new Error(result.reason);
    expect(result.repository.key).toBe(repositoryKey('git@github.com:Fluxi-Dev/hello-ci.git'));
    expect(matchFilters(result, { branches: ['release/*'] })).toEqual({
      match: false,
      reason: 'branch "main" does not match the pipeline\'s branch filters (release/*)',
    });
    expect(matchFilters(result, { branches: ['main'], events: ['push'] })).toEqual({ match: true });
  });

  it('is far below the body limit', () => {
    expect(body.length).toBeLessThan(WEBHOOK_MAX_BODY_BYTES);
  });
});

describe('GitHub tag push', () => {
  it('is a tag trigger on the tagged commit', () => {
    const body = fixture('github-push-tag');
    const result = parseGitHubDelivery(headers('push', body), body);
    expect(result).toMatchObject({
      kind: 'trigger',
      event: 'tag',
      ref: 'refs/tags/v1.2.0',
      refName: 'v1.2.0',
      refType: 'tag',
      commit: 'b4a6f8c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6',
      compareUrl: 'https://github.com/fluxi-dev/hello-ci/compare/v1.2.0',
      author: { name: 'Ada Lovelace', email: 'ada@example.com', username: 'ada-l' },
    });
    if (result.kind !== 'trigger') throw new Error(result.reason);
    expect(matchFilters(result, { tags: ['v*'], events: ['tag'] })).toEqual({ match: true });
    expect(matchFilters(result, { events: ['push'] })).toMatchObject({ match: false });
  });
});

describe('GitHub deliveries that start nothing', () => {
  it('a branch deletion (after = 40 zeros)', () => {
    const body = fixture('github-push-branch-deleted');
    expect(parseGitHubDelivery(headers('push', body), body)).toEqual({
      kind: 'ignore',
      provider: 'github',
      deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      reason: 'branch "feature/old-idea" was deleted: nothing to build',
    });
  });

  it('a ping', () => {
    const body = fixture('github-ping');
    expect(parseGitHubDelivery(headers('ping', body), body)).toMatchObject({
      kind: 'ignore',
      reason: 'ping received: the webhook reaches Fluxi; nothing to start',
    });
  });

  it('an event Fluxi does not listen to', () => {
    const body = Buffer.from('{"action":"opened"}');
    expect(parseGitHubDelivery(headers('issues', body), body)).toMatchObject({
      kind: 'ignore',
      reason: 'GitHub event "issues" starts nothing: Fluxi is started by push events (branches and tags)',
    });
  });

  it('a push of another kind of ref', () => {
    const body = Buffer.from(
      JSON.stringify({ ...JSON.parse(fixture('github-push-branch').toString()), ref: 'refs/notes/commits' }),
    );
    expect(parseGitHubDelivery(headers('push', body), body)).toMatchObject({
      kind: 'ignore',
      reason: 'ref "refs/notes/commits" is neither a branch nor a tag',
    });
  });
});

describe('GitHub deliveries that are not what they say', () => {
  it('no event header, a body that is not JSON, no commit, no repository', () => {
    const body = fixture('github-push-branch');
    const { 'x-github-event': _, ...noEvent } = headers('push', body);
    expect(parseGitHubDelivery(noEvent, body)).toMatchObject({ kind: 'invalid', reason: 'X-GitHub-Event is missing' });
    expect(parseGitHubDelivery(headers('push', body), Buffer.from('ref=main'))).toMatchObject({
      kind: 'invalid',
      reason: 'the body is not a JSON object',
    });
    const payload = JSON.parse(body.toString()) as Record<string, unknown>;
    const noCommit = Buffer.from(JSON.stringify({ ...payload, after: 'HEAD' }));
    expect(parseGitHubDelivery(headers('push', noCommit), noCommit)).toMatchObject({
      kind: 'invalid',
      reason: '"after" is not a commit id',
    });
    const noRepository = Buffer.from(JSON.stringify({ ...payload, repository: {} }));
    expect(parseGitHubDelivery(headers('push', noRepository), noRepository)).toMatchObject({ kind: 'invalid' });
  });

  it('a delivery without X-GitHub-Delivery gets an id from its body, the same on a resend', () => {
    const body = fixture('github-push-branch');
    const { 'x-github-delivery': _, ...rest } = headers('push', body);
    const first = parseGitHubDelivery(rest, body);
    expect(first.deliveryId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(parseGitHubDelivery(rest, Buffer.from(body)).deliveryId).toBe(first.deliveryId);
  });
});
