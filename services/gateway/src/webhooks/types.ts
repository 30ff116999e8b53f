/** The git host a delivery came from. */
export type WebhookProvider = 'github' | 'gitlab';

/** What a pipeline can ask to be started by. */
export type WebhookEvent = 'push' | 'tag';

export interface WebhookRepository {
  /** Canonical form (`github.com/owner/repo`) to match against the pipelines' repository URLs. */
  key: string;
  cloneUrl: string;
  sshUrl: string;
  webUrl: string;
}

/** A delivery that should start the pipelines of its repository whose filters it passes. */
export interface WebhookTrigger {
  kind: 'trigger';
  provider: WebhookProvider;
  deliveryId: string;
  event: WebhookEvent;
  repository: WebhookRepository;
  /** Full ref: `refs/heads/main`, `refs/tags/v1.2.0`. */
  ref: string;
  /** The branch or tag name: `main`, `feature/x`, `v1.2.0`. */
  refName: string;
  refType: 'branch' | 'tag';
  /** The commit to build (40 hex). */
  commit: string;
  author: { name: string; email: string; username: string | null } | null;
  /** The head commit's message (a tag push without commits: the tag's message, or empty). */
  message: string;
  compareUrl: string | null;
}

/** A well-formed delivery that starts nothing (ping, unknown event, branch deletion). */
export interface WebhookIgnore {
  kind: 'ignore';
  provider: WebhookProvider;
  deliveryId: string;
  /** Said to the sender in the 2xx answer and kept in the delivery list. */
  reason: string;
}

/** A body that is not what the event header says (400). */
export interface WebhookInvalid {
  kind: 'invalid';
  provider: WebhookProvider;
  deliveryId: string;
  reason: string;
}

export type WebhookResult = WebhookTrigger | WebhookIgnore | WebhookInvalid;

/** Request headers as Node gives them: lower-case names, a string or a list. */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

export function header(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}
