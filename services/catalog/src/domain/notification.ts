import { randomBytes } from 'node:crypto';
import { badInput } from '@fluxi/common';

/**
 * Notification subscriptions (outgoing webhooks): where to POST (http or https URL), which events,
 * which pipelines and branches, the body format, and a Standard Webhooks signing secret
 * (`whsec_<base64>`), sealed with the installation's key and shown once. The scheduler delivers.
 */

/** GraphQL enum value → the payload `type` (what is stored and sent to the scheduler). */
export const NOTIFICATION_EVENTS = {
  PIPELINE_RUN_STARTED: 'pipeline_run.started',
  PIPELINE_RUN_SUCCEEDED: 'pipeline_run.succeeded',
  PIPELINE_RUN_FAILED: 'pipeline_run.failed',
  PIPELINE_RUN_CANCELLED: 'pipeline_run.cancelled',
  JOB_RUN_FAILED: 'job_run.failed',
  EXECUTOR_LOST: 'executor.lost',
  SCHEDULE_FIRE_FAILED: 'schedule.fire_failed',
  CRITICAL_ERROR: 'system.critical_error',
} as const;
export type NotificationEventName = keyof typeof NOTIFICATION_EVENTS;
export type NotificationFormat = 'STANDARD' | 'SLACK';

export const MAX_SUBSCRIPTIONS = 100;
const MAX_FILTERS = 50;
const MAX_NAME = 100;
const MAX_URL = 2048;
const MAX_BRANCH = 255;
const SECRET_PREFIX = 'whsec_';
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

export interface NotificationInput {
  name?: string | null;
  url?: string | null;
  events?: string[] | null;
  pipelineIds?: string[] | null;
  branches?: string[] | null;
  format?: string | null;
  secret?: string | null;
  enabled?: boolean | null;
}

/** A subscription as stored and answered, without its secret. */
export interface NotificationSubscription {
  id: string;
  name: string;
  url: string;
  /** Payload types, e.g. `pipeline_run.failed`. */
  events: string[];
  pipelineIds: string[];
  branches: string[];
  format: NotificationFormat;
  enabled: boolean;
  /** Why it was disabled automatically (its receiver failed too often); null when enabled by hand. */
  disabledReason: string | null;
  disabledAt: Date | null;
  secretSetAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** The validated fields of a create (every field) or an update (the given ones). */
export type NotificationFields = Partial<
  Pick<NotificationSubscription, 'name' | 'url' | 'events' | 'pipelineIds' | 'branches' | 'format' | 'enabled'>
> & { secret?: string };

/** A new Standard Webhooks secret: 32 random bytes. */
export function newNotificationSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** Validates a create's input: name, url and events are required; a missing secret is generated. */
export function validateNewNotification(input: NotificationInput): Required<NotificationFields> {
  const fields = validateNotificationFields(input);
  if (fields.name === undefined) throw badInput('name is required', 'input.name');
  if (fields.url === undefined) throw badInput('url is required', 'input.url');
  if (fields.events === undefined) throw badInput('events is required: at least one event', 'input.events');
  return {
    name: fields.name,
    url: fields.url,
    events: fields.events,
    pipelineIds: fields.pipelineIds ?? [],
    branches: fields.branches ?? [],
    format: fields.format ?? 'STANDARD',
    enabled: fields.enabled ?? true,
    secret: fields.secret ?? newNotificationSecret(),
  };
}

/** Validates the given fields (null and absent alike mean "not given"). */
export function validateNotificationFields(input: NotificationInput, path = 'input'): NotificationFields {
  const out: NotificationFields = {};
  if (input.name != null) out.name = validateName(input.name, `${path}.name`);
  if (input.url != null) out.url = validateUrl(input.url, `${path}.url`);
  if (input.events != null) out.events = validateEvents(input.events, `${path}.events`);
  if (input.pipelineIds != null) out.pipelineIds = validateList(input.pipelineIds, `${path}.pipelineIds`, 128);
  if (input.branches != null) out.branches = validateList(input.branches, `${path}.branches`, MAX_BRANCH);
  if (input.format != null) {
    if (input.format !== 'STANDARD' && input.format !== 'SLACK') {
      throw badInput('format must be STANDARD or SLACK', `${path}.format`);
    }
    out.format = input.format;
  }
  if (input.secret != null) out.secret = validateNotificationSecret(input.secret, `${path}.secret`);
  if (input.enabled != null) out.enabled = input.enabled;
  return out;
}

function validateName(value: string, field: string): string {
  const name = value.trim();
  if (name === '' || name.length > MAX_NAME) throw badInput(`name must have 1 to ${MAX_NAME} characters`, field);
  return name;
}

function validateUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badInput('url is not a valid URL', field);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput('url must be an http or https URL', field);
  if (value.length > MAX_URL) throw badInput(`url must have at most ${MAX_URL} characters`, field);
  if (url.username !== '' || url.password !== '') {
    throw badInput('url must not hold credentials: the signature authenticates deliveries', field);
  }
  return url.toString();
}

/** Accepts GraphQL enum names (PIPELINE_RUN_FAILED) or payload types (pipeline_run.failed). */
function validateEvents(values: string[], field: string): string[] {
  const known = NOTIFICATION_EVENTS as Record<string, string>;
  const types = new Set(Object.values(known));
  const events = values.map((value, i) => {
    const type = known[value] ?? (types.has(value) ? value : undefined);
    if (type === undefined) throw badInput(`unknown event ${JSON.stringify(value)}`, `${field}.${i}`);
    return type;
  });
  if (events.length === 0) throw badInput('at least one event is required', field);
  return [...new Set(events)];
}

function validateList(values: string[], field: string, maxLength: number): string[] {
  if (values.length > MAX_FILTERS) throw badInput(`at most ${MAX_FILTERS} values`, field);
  values.forEach((value, i) => {
    if (value.trim() === '' || value.length > maxLength) {
      throw badInput(`values must have 1 to ${maxLength} characters`, `${field}.${i}`);
    }
  });
  return [...new Set(values)];
}

/** `whsec_` and the base64 of 24 to 64 bytes (Standard Webhooks). */
export function validateNotificationSecret(value: string, field: string): string {
  const encoded = value.startsWith(SECRET_PREFIX) ? value.slice(SECRET_PREFIX.length) : undefined;
  const bytes =
    encoded !== undefined && /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64').length : 0;
  if (bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw badInput(
      `secret must be ${SECRET_PREFIX} followed by the base64 of ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} random bytes (or left out to have one made)`,
      field,
    );
  }
  return value;
}

/** The associated data of a subscription's sealed secret: a value copied to another row does not open. */
export const notificationSealContext = (subscriptionId: string): string => `notification:${subscriptionId}:secret`;

/** GraphQL enum names of stored event types. */
export function eventNames(types: readonly string[]): NotificationEventName[] {
  const byType = new Map(Object.entries(NOTIFICATION_EVENTS).map(([name, type]) => [type as string, name]));
  return types.flatMap((type) => {
    const name = byType.get(type);
    return name === undefined ? [] : [name as NotificationEventName];
  });
}
