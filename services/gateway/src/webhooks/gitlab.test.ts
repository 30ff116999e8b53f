import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchFilters } from './filters.js';
import { parseGitLabDelivery } from './gitlab.js';
import { verifyGitLabToken } from './signature.js';

const TOKEN = 'fluxi-gitlab-token';
const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url));

/** Headers as GitLab sends them (Node lower-cases the names). */
function headers(event: string, extra: Record<string, string> = {}) {
  return {
    'x-gitlab-event': event,
    'x-gitlab-token': TOKEN,
    'x-gitlab-instance': 'https://gitlab.example.com',
    'x-gitlab-webhook-uuid': '2f0ff8e6-6ac4-4ad6-b1d2-2b3bb8c01e4a',
    'x-gitlab-event-uuid': '13792a34-cac6-4fda-95a8-c58e00a3954e',
    'user-agent': 'GitLab/17.6.0',
    'content-type': 'application/json',
    ...extra,
  };
}

describe('GitLab Push Hook', () => {
  const body = fixture('gitlab-push-hook');

  it('is a trigger with the checkout commit, its author and message, a compare URL from web_url', () => {
    expect(parseGitLabDelivery(headers('Push Hook'), body)).toEqual({
      kind: 'trigger',
      provider: 'gitlab',
      deliveryId: '13792a34-cac6-4fda-95a8-c58e00a3954e',
      event: 'push',
      repository: {
        key: 'gitlab.example.com/platform/tools/hello-ci',
        cloneUrl: 'https://gitlab.example.com/platform/tools/hello-ci.git',
        sshUrl: 'git@gitlab.example.com:platform/tools/hello-ci.git',
        webUrl: 'https://gitlab.example.com/platform/tools/hello-ci',
      },
      ref: 'refs/heads/release/2.x',
      refName: 'release/2.x',
      refType: 'branch',
      commit: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      author: { name: 'Grace Hopper', email: 'grace@example.com', username: null },
      message: 'Fix the release script\n\nIt tagged the wrong commit.\n',
      compareUrl:
        'https://gitlab.example.com/platform/tools/hello-ci/-/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
    });
  });

  it('takes Idempotency-Key (same on retries) as the delivery id when sent', () => {
    const result = parseGitLabDelivery(
      headers('Push Hook', { 'idempotency-key': 'f5bbdc0e-1a26-4b6c-8f4a-3b1f3c4e9d10' }),
      body,
    );
    expect(result.deliveryId).toBe('f5bbdc0e-1a26-4b6c-8f4a-3b1f3c4e9d10');
    const { 'x-gitlab-event-uuid': _, ...noEventUuid } = headers('Push Hook');
    expect(parseGitLabDelivery(noEventUuid, body).deliveryId).toBe('2f0ff8e6-6ac4-4ad6-b1d2-2b3bb8c01e4a');
  });

  it('is verified with X-Gitlab-Token', () => {
    expect(verifyGitLabToken(headers('Push Hook')['x-gitlab-token'], TOKEN)).toEqual({ ok: true });
    expect(verifyGitLabToken('guess', TOKEN)).toMatchObject({ ok: false });
    expect(verifyGitLabToken(undefined, TOKEN)).toEqual({ ok: false, reason: 'X-Gitlab-Token is missing' });
  });

  it('passes a release/* filter and misses a main-only one', () => {
    const result = parseGitLabDelivery(headers('Push Hook'), body);
    if (result.kind !== 'trigger') throw new Error(result.reason);
    expect(matchFilters(result, { branches: ['release/*'] })).toEqual({ match: true });
    expect(matchFilters(result, { branches: ['main'] })).toMatchObject({ match: false });
  });

  it('a branch deletion starts nothing', () => {
    const payload = JSON.parse(body.toString()) as Record<string, unknown>;
    const deleted = Buffer.from(
      JSON.stringify({
        ...payload,
        after: '0000000000000000000000000000000000000000',
        checkout_sha: null,
        commits: [],
      }),
    );
    expect(parseGitLabDelivery(headers('Push Hook'), deleted)).toMatchObject({
      kind: 'ignore',
      reason: 'branch "release/2.x" was deleted: nothing to build',
    });
  });
});

describe('GitLab Tag Push Hook', () => {
  it('is a tag trigger on checkout_sha (the commit, not the annotated tag object), the pusher, the tag message', () => {
    const result = parseGitLabDelivery(headers('Tag Push Hook'), fixture('gitlab-tag-push-hook'));
    expect(result).toMatchObject({
      kind: 'trigger',
      event: 'tag',
      ref: 'refs/tags/v2.0.0',
      refName: 'v2.0.0',
      refType: 'tag',
      commit: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      author: { name: 'Grace Hopper', email: '', username: 'ghopper' },
      message: 'Release 2.0.0',
      compareUrl: null,
    });
    if (result.kind !== 'trigger') throw new Error(result.reason);
    expect(matchFilters(result, { tags: ['v2.*'] })).toEqual({ match: true });
  });
});

describe('GitLab deliveries that start nothing or are not what they say', () => {
  it('other events are ignored with a clear message', () => {
    expect(parseGitLabDelivery(headers('Merge Request Hook'), Buffer.from('{}'))).toMatchObject({
      kind: 'ignore',
      reason: 'GitLab event "Merge Request Hook" starts nothing: Fluxi is started by Push Hook and Tag Push Hook',
    });
  });

  it('an object_kind that contradicts the header, no header, a body that is not JSON', () => {
    expect(parseGitLabDelivery(headers('Tag Push Hook'), fixture('gitlab-push-hook'))).toMatchObject({
      kind: 'invalid',
      reason: 'object_kind "push" is not "tag_push"',
    });
    const { 'x-gitlab-event': _, ...noEvent } = headers('Push Hook');
    expect(parseGitLabDelivery(noEvent, fixture('gitlab-push-hook'))).toMatchObject({
      kind: 'invalid',
      reason: 'X-Gitlab-Event is missing',
    });
    expect(parseGitLabDelivery(headers('Push Hook'), Buffer.from('[1,2]'))).toMatchObject({
      kind: 'invalid',
      reason: 'the body is not a JSON object',
    });
  });
});
