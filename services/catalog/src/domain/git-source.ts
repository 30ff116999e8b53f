import { badInput, repositoryKey } from '@fluxi/common';
import { quote } from './names.js';

export const GIT_EVENTS = ['PUSH', 'TAG'] as const;
/** What a git webhook delivery is: a branch push or a tag push. */
export type GitEvent = (typeof GIT_EVENTS)[number];

/**
 * Where a pipeline's code lives and which pushes start it (`POST /hooks/github`, `/hooks/gitlab`).
 * The webhook secret is not part of it: it is stored apart, encrypted, and never read back.
 */
export interface GitSource {
  /** As the user wrote it (https, ssh, scp-like or file URL): what executors fetch for a checkout. */
  repository: string;
  /** `repositoryKey(repository)`: matched against the repository of a delivery. */
  repositoryKey: string;
  /** Branch globs (`main`, `release/*`, `!wip/**`); empty: every branch. */
  branches: string[];
  /** Tag globs (`v*`); empty: every tag. */
  tags: string[];
  /** Empty: both. */
  events: GitEvent[];
}

export interface GitSourceInput {
  repository?: string | null;
  branches?: ReadonlyArray<string> | null;
  tags?: ReadonlyArray<string> | null;
  events?: ReadonlyArray<string> | null;
  /** Write-only: set (encrypted) when given, kept when absent. */
  webhookSecret?: string | null;
}

export const MAX_GLOBS = 50;
const MAX_GLOB_LENGTH = 200;
const MAX_URL_LENGTH = 2000;
export const MIN_SECRET_LENGTH = 16;
export const MAX_SECRET_LENGTH = 1024;

/** A pipeline's git source, or null when it declares none. Throws BAD_USER_INPUT with the field path. */
export function validateGitSource(input: GitSourceInput | null | undefined, field: string): GitSource | null {
  if (input === undefined || input === null) return null;
  const repository = (input.repository ?? '').trim();
  if (repository === '') throw badInput('repository is required', `${field}.repository`);
  if (repository.length > MAX_URL_LENGTH) {
    throw badInput(`repository is longer than ${MAX_URL_LENGTH} characters`, `${field}.repository`);
  }
  const key = repositoryKey(repository);
  if (key === null) {
    throw badInput(
      `repository ${quote(repository)} is not a git URL: use https://host/owner/repo, git@host:owner/repo, ssh://host/owner/repo or file:///path`,
      `${field}.repository`,
    );
  }
  if (hasCredentials(repository)) {
    throw badInput(
      'repository must not hold a password or token: the API shows the URL; give executors credentials through git (ssh keys, a credential helper)',
      `${field}.repository`,
    );
  }
  if (input.webhookSecret !== undefined && input.webhookSecret !== null) {
    validateWebhookSecret(input.webhookSecret, `${field}.webhookSecret`);
  }
  return {
    repository,
    repositoryKey: key,
    branches: validateGlobs(input.branches, `${field}.branches`, 'branch'),
    tags: validateGlobs(input.tags, `${field}.tags`, 'tag'),
    events: validateEvents(input.events, `${field}.events`),
  };
}

/** The secret a client sent, checked (16 to 1024 characters, no surrounding spaces). */
export function validateWebhookSecret(secret: string, field: string): string {
  if (secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH) {
    throw badInput(
      `the webhook secret must have ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters (e.g. \`openssl rand -hex 32\`), got ${secret.length}`,
      field,
    );
  }
  if (secret.trim() !== secret) throw badInput('the webhook secret must not start or end with spaces', field);
  return secret;
}

/** The secret of a pipeline input when it sets one (validated by validateGitSource). */
export function webhookSecretOf(input: { git?: GitSourceInput | null }): string | undefined {
  const secret = input.git?.webhookSecret;
  return secret === undefined || secret === null ? undefined : secret;
}

function validateGlobs(value: ReadonlyArray<string> | null | undefined, field: string, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (value.length > MAX_GLOBS) throw badInput(`at most ${MAX_GLOBS} ${what} filters, got ${value.length}`, field);
  const globs: string[] = [];
  value.forEach((glob, index) => {
    const at = `${field}[${index}]`;
    if (typeof glob !== 'string' || glob.trim() === '' || glob === '!') {
      throw badInput(`${what} filter ${quote(glob)} is empty`, at);
    }
    if (glob.length > MAX_GLOB_LENGTH || /\s/.test(glob)) {
      throw badInput(
        `${what} filter ${quote(glob)} is invalid: a glob without spaces, at most ${MAX_GLOB_LENGTH} characters`,
        at,
      );
    }
    if (globs.includes(glob)) throw badInput(`${what} filter ${quote(glob)} is listed twice`, at);
    globs.push(glob);
  });
  return globs;
}

function validateEvents(value: ReadonlyArray<string> | null | undefined, field: string): GitEvent[] {
  const events: GitEvent[] = [];
  (value ?? []).forEach((event, index) => {
    const at = `${field}[${index}]`;
    if (!(GIT_EVENTS as readonly string[]).includes(event)) {
      throw badInput(`event ${quote(event)} is invalid: use ${GIT_EVENTS.join(' or ')}`, at);
    }
    if (events.includes(event as GitEvent)) throw badInput(`event ${quote(event)} is listed twice`, at);
    events.push(event as GitEvent);
  });
  return events;
}

/** A password anywhere, or any user in an http(s) URL (`https://<token>@host/...`); ssh's `git@` is fine. */
function hasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.password !== '' || (/^https?:$/.test(parsed.protocol) && parsed.username !== '');
  } catch {
    return false;
  }
}
