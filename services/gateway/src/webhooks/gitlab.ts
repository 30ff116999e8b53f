import { repositoryKey } from '@fluxi/common';
import { bodyDeliveryId, commitId, isZeroCommit, parseBody, record, splitRef, text, type Json } from './payload.js';
import {
  header,
  type WebhookHeaders,
  type WebhookRepository,
  type WebhookResult,
  type WebhookTrigger,
} from './types.js';

const EVENTS: Record<string, string> = { 'Push Hook': 'push', 'Tag Push Hook': 'tag_push' };

/**
 * Reads a GitLab delivery (`X-Gitlab-Event`, the raw body). The delivery id is `Idempotency-Key`
 * (the same on every retry of one event, GitLab 17.4+), else `X-Gitlab-Event-UUID`, else
 * `X-Gitlab-Webhook-UUID`, else a hash of the body. Pure and unauthenticated: the caller checks
 * `X-Gitlab-Token` with each candidate pipeline's secret (`verifyGitLabToken`).
 */
export function parseGitLabDelivery(headers: WebhookHeaders, rawBody: Buffer | string): WebhookResult {
  const deliveryId =
    header(headers, 'idempotency-key') ??
    header(headers, 'x-gitlab-event-uuid') ??
    header(headers, 'x-gitlab-webhook-uuid') ??
    bodyDeliveryId(rawBody);
  const event = header(headers, 'x-gitlab-event');
  const base = { provider: 'gitlab' as const, deliveryId };
  if (event === undefined) return { ...base, kind: 'invalid', reason: 'X-Gitlab-Event is missing' };
  const kind = EVENTS[event];
  if (kind === undefined) {
    return {
      ...base,
      kind: 'ignore',
      reason: `GitLab event "${event}" starts nothing: Fluxi is started by Push Hook and Tag Push Hook`,
    };
  }
  const body = parseBody(rawBody);
  if (body === null) return { ...base, kind: 'invalid', reason: 'the body is not a JSON object' };
  if (body.object_kind !== kind) {
    return { ...base, kind: 'invalid', reason: `object_kind ${JSON.stringify(body.object_kind)} is not "${kind}"` };
  }
  return push(body, base);
}

function push(body: Json, base: { provider: 'gitlab'; deliveryId: string }): WebhookResult {
  const ref = text(body.ref);
  const split = ref === null ? null : splitRef(ref);
  if (ref === null || split === null) {
    return { ...base, kind: 'ignore', reason: `ref ${JSON.stringify(body.ref)} is neither a branch nor a tag` };
  }
  if (isZeroCommit(body.after) || body.checkout_sha === null) {
    return { ...base, kind: 'ignore', reason: `${split.refType} "${split.refName}" was deleted: nothing to build` };
  }
  const commit = commitId(body.checkout_sha) ?? commitId(body.after);
  if (commit === null) return { ...base, kind: 'invalid', reason: '"checkout_sha" and "after" are not commit ids' };
  const repository = repositoryOf(body);
  if (repository === null) {
    return { ...base, kind: 'invalid', reason: 'project.git_http_url or project.web_url is missing' };
  }
  const head = headCommit(body, commit);
  const before = commitId(body.before);
  const trigger: WebhookTrigger = {
    ...base,
    kind: 'trigger',
    event: split.refType === 'branch' ? 'push' : 'tag',
    repository,
    ref,
    ...split,
    commit,
    author: head === null ? pusher(body) : commitAuthor(record(head.author)),
    message: (head === null ? text(body.message) : text(head.message)) ?? '',
    compareUrl:
      before === null || isZeroCommit(before)
        ? null
        : `${repository.webUrl.replace(/\/+$/, '')}/-/compare/${before}...${commit}`,
  };
  return trigger;
}

/** The project's URLs (`repository` carries the same ones in older payloads). */
function repositoryOf(body: Json): WebhookRepository | null {
  const project = record(body.project);
  const legacy = record(body.repository);
  const webUrl = text(project.web_url) ?? text(legacy.homepage);
  const cloneUrl = text(project.git_http_url) ?? text(legacy.git_http_url);
  const key = repositoryKey(webUrl ?? cloneUrl ?? '');
  if (key === null || cloneUrl === null || webUrl === null) return null;
  return { key, cloneUrl, sshUrl: text(project.git_ssh_url) ?? text(legacy.git_ssh_url) ?? '', webUrl };
}

/** The pushed head among `commits` (oldest first in GitLab's payloads), else null. */
function headCommit(body: Json, commit: string): Json | null {
  const commits = Array.isArray(body.commits) ? body.commits.map(record) : [];
  return commits.find((entry) => commitId(entry.id) === commit) ?? null;
}

function commitAuthor(value: Json): WebhookTrigger['author'] {
  const name = text(value.name);
  const email = text(value.email);
  return name === null && email === null ? null : { name: name ?? '', email: email ?? '', username: null };
}

function pusher(body: Json): WebhookTrigger['author'] {
  const name = text(body.user_name);
  const email = text(body.user_email);
  if (name === null && email === null) return null;
  return { name: name ?? '', email: email ?? '', username: text(body.user_username) };
}
