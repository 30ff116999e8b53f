import { repositoryKey } from '@fluxi/common';
import { bodyDeliveryId, commitId, isZeroCommit, parseBody, record, splitRef, text, type Json } from './payload.js';
import { header, type WebhookHeaders, type WebhookResult, type WebhookTrigger } from './types.js';

/**
 * Reads a GitHub delivery (`X-GitHub-Event`, `X-GitHub-Delivery`, the raw body). Pure and
 * unauthenticated: the caller finds the pipelines of `repository.key`, then checks
 * `X-Hub-Signature-256` with each one's secret (`verifyGitHubSignature`) before starting anything.
 */
export function parseGitHubDelivery(headers: WebhookHeaders, rawBody: Buffer | string): WebhookResult {
  const deliveryId = header(headers, 'x-github-delivery') ?? bodyDeliveryId(rawBody);
  const event = header(headers, 'x-github-event');
  const base = { provider: 'github' as const, deliveryId };
  if (event === undefined) return { ...base, kind: 'invalid', reason: 'X-GitHub-Event is missing' };
  if (event === 'ping') {
    return { ...base, kind: 'ignore', reason: 'ping received: the webhook reaches Fluxi; nothing to start' };
  }
  if (event !== 'push') {
    return {
      ...base,
      kind: 'ignore',
      reason: `GitHub event "${event}" starts nothing: Fluxi is started by push events (branches and tags)`,
    };
  }
  const body = parseBody(rawBody);
  if (body === null) return { ...base, kind: 'invalid', reason: 'the body is not a JSON object' };
  return push(body, base);
}

function push(body: Json, base: { provider: 'github'; deliveryId: string }): WebhookResult {
  const ref = text(body.ref);
  const split = ref === null ? null : splitRef(ref);
  if (ref === null || split === null) {
    return { ...base, kind: 'ignore', reason: `ref ${JSON.stringify(body.ref)} is neither a branch nor a tag` };
  }
  if (body.deleted === true || isZeroCommit(body.after)) {
    return { ...base, kind: 'ignore', reason: `${split.refType} "${split.refName}" was deleted: nothing to build` };
  }
  const commit = commitId(body.after);
  if (commit === null) return { ...base, kind: 'invalid', reason: '"after" is not a commit id' };
  const repository = record(body.repository);
  const webUrl = text(repository.html_url);
  const cloneUrl = text(repository.clone_url);
  const key = repositoryKey(webUrl ?? cloneUrl ?? '');
  if (key === null || cloneUrl === null) {
    return { ...base, kind: 'invalid', reason: 'repository.clone_url or repository.html_url is missing' };
  }
  const head = record(body.head_commit);
  const trigger: WebhookTrigger = {
    ...base,
    kind: 'trigger',
    event: split.refType === 'branch' ? 'push' : 'tag',
    repository: { key, cloneUrl, sshUrl: text(repository.ssh_url) ?? '', webUrl: webUrl ?? cloneUrl },
    ref,
    ...split,
    commit,
    author: author(record(head.author)) ?? author(record(body.pusher)),
    message: text(head.message) ?? '',
    compareUrl: text(body.compare),
  };
  return trigger;
}

function author(value: Json): WebhookTrigger['author'] {
  const name = text(value.name);
  const email = text(value.email);
  if (name === null && email === null) return null;
  return { name: name ?? '', email: email ?? '', username: text(value.username) };
}
