import { z } from '../zod.js';
import { Id } from './common.js';

/*
 * Notification subscriptions (the catalog's GraphQL types) and their delivery log (the
 * scheduler's), field for field. The signing secret is only in NotificationSubscriptionWithSecret,
 * the answer of a create and of a secret rotation.
 */

const NOTIFICATION_EVENTS = [
  'PIPELINE_RUN_STARTED',
  'PIPELINE_RUN_SUCCEEDED',
  'PIPELINE_RUN_FAILED',
  'PIPELINE_RUN_CANCELLED',
  'JOB_RUN_FAILED',
  'EXECUTOR_LOST',
  'SCHEDULE_FIRE_FAILED',
  'CRITICAL_ERROR',
] as const;

const NotificationEvent = z.enum(NOTIFICATION_EVENTS).openapi('NotificationEvent', {
  description:
    'What a subscription is notified of; the payload types are pipeline_run.started, pipeline_run.succeeded, ' +
    'pipeline_run.failed, pipeline_run.cancelled, job_run.failed, executor.lost, schedule.fire_failed and ' +
    'system.critical_error.',
});

const NotificationFormat = z.enum(['STANDARD', 'SLACK']).openapi('NotificationFormat', {
  description: 'STANDARD: Standard Webhooks JSON { type, version, timestamp, data }; SLACK: { text }.',
});

export const NotificationSubscription = z
  .object({
    id: Id,
    name: z.string(),
    url: z.string(),
    events: z.array(NotificationEvent),
    pipelineIds: z.array(Id).openapi({ description: 'Only runs of these pipelines; empty: every pipeline.' }),
    branches: z
      .array(z.string())
      .openapi({ description: 'Only runs on these branches (* matches any characters); empty: every run.' }),
    format: NotificationFormat,
    enabled: z.boolean(),
    disabledReason: z.string().nullable().openapi({
      description: 'Why Fluxi disabled it (its receiver failed too many deliveries in a row); null otherwise.',
    }),
    disabledAt: z.string().nullable(),
    secretSetAt: z.string().openapi({ description: 'When the signing secret was last set (shown only then).' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('NotificationSubscription', {
    description:
      'Where and when Fluxi POSTs signed notifications (Standard Webhooks headers webhook-id, webhook-timestamp, ' +
      'webhook-signature). Never holds the signing secret.',
  });

export const NotificationSubscriptionWithSecret = z
  .object({
    subscription: NotificationSubscription,
    secret: z.string().openapi({
      description:
        'whsec_<base64>, shown only in this answer: verify deliveries with it (any Standard Webhooks library).',
    }),
  })
  .openapi('NotificationSubscriptionWithSecret');

const filters = {
  pipelineIds: z.array(Id).nullish().openapi({ description: 'Only runs of these pipelines; absent or []: every one.' }),
  branches: z
    .array(z.string())
    .nullish()
    .openapi({ description: 'Only runs on these branches (* matches any characters); absent or []: every run.' }),
  format: NotificationFormat.nullish(),
  secret: z.string().nullish().openapi({
    description: 'whsec_ and the base64 of 24 to 64 bytes; never answered. Absent on a create: one is made.',
  }),
  enabled: z.boolean().nullish(),
};

export const NotificationSubscriptionInput = z
  .strictObject({
    name: z.string(),
    url: z.string().openapi({ description: 'An http or https URL, without credentials.' }),
    events: z.array(NotificationEvent),
    ...filters,
  })
  .openapi('NotificationSubscriptionInput');

export const NotificationSubscriptionPatch = z
  .strictObject({
    name: z.string().nullish(),
    url: z.string().nullish(),
    events: z.array(NotificationEvent).nullish(),
    ...filters,
  })
  .openapi('NotificationSubscriptionPatch', { description: 'Fields left out keep their value.' });

const when = z.string().nullable();

export const NotificationDelivery = z
  .object({
    id: Id.openapi({ description: 'The webhook-id header: the same for every attempt.' }),
    subscriptionId: Id,
    eventType: z.string().openapi({ description: 'The payload type, e.g. pipeline_run.failed.' }),
    pipelineRunId: Id.nullable(),
    payload: z.string().openapi({ description: 'The Standard Webhooks payload as JSON text.' }),
    status: z.enum(['PENDING', 'DELIVERED', 'DEAD']).openapi({
      description:
        'PENDING: waiting for its next attempt (nextAttemptAt); DELIVERED: a 2xx answer came; DEAD: given up (deadReason).',
    }),
    attempts: z.array(
      z
        .object({
          attempt: z.number().int(),
          at: z.string(),
          statusCode: z
            .number()
            .int()
            .nullable()
            .openapi({ description: "The receiver's HTTP status; null when it did not answer (see error)." }),
          durationMs: z.number().int(),
          responseExcerpt: z.string().nullable().openapi({ description: "At most 1 KiB of the receiver's answer." }),
          error: z.string().nullable(),
        })
        .openapi('NotificationAttempt'),
    ),
    nextAttemptAt: when,
    deadReason: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('NotificationDelivery', { description: 'One notification to a receiver, with its attempts.' });
