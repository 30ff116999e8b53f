import { IdParams, pageOf, PageQuery } from '../schemas/common.js';
import {
  NotificationDelivery,
  NotificationSubscription,
  NotificationSubscriptionInput,
  NotificationSubscriptionPatch,
  NotificationSubscriptionWithSecret,
} from '../schemas/notifications.js';
import { found, fromConnection, paginate, route, type RestRoute } from '../route.js';
import { selectionOf } from '../selection.js';
import type { z } from '../zod.js';

const UPDATE = { id: 'ID!', input: 'UpdateNotificationSubscriptionInput!' };

const EXAMPLE = {
  name: 'failures-to-ops',
  url: 'https://hooks.example.com/fluxi',
  events: ['PIPELINE_RUN_FAILED', 'JOB_RUN_FAILED'],
  pipelineIds: ['P01JCFXAMPLE00000000000000'],
  branches: ['main', 'release/*'],
};

/**
 * A PUT's update: the filters and format left out get their defaults (an update takes null as
 * "keep", so they are sent as values); enabled and the secret left out keep theirs.
 */
export function replacement(body: z.output<typeof NotificationSubscriptionInput>): Record<string, unknown> {
  return {
    ...body,
    pipelineIds: body.pipelineIds ?? [],
    branches: body.branches ?? [],
    format: body.format ?? 'STANDARD',
  };
}

type Connection = { nodes: unknown[]; endCursor: string | null; hasNextPage: boolean };

export const notificationRoutes: RestRoute[] = [
  route({
    method: 'get',
    path: '/notifications',
    operationId: 'listNotificationSubscriptions',
    summary: 'List notification subscriptions (outgoing webhooks)',
    description: 'Without their signing secrets. GraphQL: notificationSubscriptions.',
    tag: 'notifications',
    role: 'reader',
    query: PageQuery,
    status: 200,
    response: pageOf(NotificationSubscription, 'NotificationSubscriptionPage'),
    handle: async (gql, { query }) =>
      paginate(
        (await gql.call('query', 'notificationSubscriptions', {}, {}, NotificationSubscription)) as unknown[],
        query,
      ),
  }),
  route({
    method: 'post',
    path: '/notifications',
    operationId: 'createNotificationSubscription',
    summary: 'Create a notification subscription (its signing secret shown once)',
    description:
      'The answer holds the signing secret (made when none is given), never shown again: keep it to verify deliveries. ' +
      'GraphQL: createNotificationSubscription.',
    tag: 'notifications',
    role: 'writer',
    body: NotificationSubscriptionInput,
    example: EXAMPLE,
    status: 201,
    response: NotificationSubscriptionWithSecret,
    handle: (gql, { body }) =>
      gql.call(
        'mutation',
        'createNotificationSubscription',
        { input: 'CreateNotificationSubscriptionInput!' },
        { input: body },
        NotificationSubscriptionWithSecret,
      ),
  }),
  route({
    method: 'get',
    path: '/notifications/{id}',
    operationId: 'getNotificationSubscription',
    summary: 'Get a notification subscription',
    description: 'Without its signing secret. GraphQL: notificationSubscription(id).',
    tag: 'notifications',
    role: 'reader',
    params: IdParams,
    status: 200,
    response: NotificationSubscription,
    handle: async (gql, { params }) =>
      found(
        await gql.call('query', 'notificationSubscription', { id: 'ID!' }, params, NotificationSubscription),
        'notification subscription',
        params.id,
      ),
  }),
  route({
    method: 'put',
    path: '/notifications/{id}',
    operationId: 'replaceNotificationSubscription',
    summary: 'Replace a notification subscription',
    description:
      'pipelineIds, branches and format left out get their defaults (every pipeline, every branch, STANDARD); ' +
      'enabled and secret left out keep their value. GraphQL: updateNotificationSubscription with every field.',
    tag: 'notifications',
    role: 'writer',
    params: IdParams,
    body: NotificationSubscriptionInput,
    example: EXAMPLE,
    status: 200,
    response: NotificationSubscription,
    handle: (gql, { params, body }) =>
      gql.call(
        'mutation',
        'updateNotificationSubscription',
        UPDATE,
        { id: params.id, input: replacement(body) },
        NotificationSubscription,
      ),
  }),
  route({
    method: 'patch',
    path: '/notifications/{id}',
    operationId: 'updateNotificationSubscription',
    summary: 'Change some fields of a notification subscription',
    description:
      'Fields left out keep their value; {"enabled": true} enables it again and clears disabledReason. ' +
      'GraphQL: updateNotificationSubscription.',
    tag: 'notifications',
    role: 'writer',
    params: IdParams,
    body: NotificationSubscriptionPatch,
    example: { events: ['PIPELINE_RUN_FAILED'], branches: [] },
    status: 200,
    response: NotificationSubscription,
    handle: (gql, { params, body }) =>
      gql.call(
        'mutation',
        'updateNotificationSubscription',
        UPDATE,
        { id: params.id, input: body },
        NotificationSubscription,
      ),
  }),
  route({
    method: 'delete',
    path: '/notifications/{id}',
    operationId: 'deleteNotificationSubscription',
    summary: 'Delete a notification subscription',
    description: 'Its pending deliveries are given up. GraphQL: deleteNotificationSubscription.',
    tag: 'notifications',
    role: 'writer',
    params: IdParams,
    status: 204,
    handle: (gql, { params }) => gql.call('mutation', 'deleteNotificationSubscription', { id: 'ID!' }, params),
  }),
  ...(['enable', 'disable'] as const).map((verb) =>
    route({
      method: 'post',
      path: `/notifications/{id}/${verb}`,
      operationId: `${verb}NotificationSubscription`,
      summary: verb === 'enable' ? 'Enable a notification subscription' : 'Disable a notification subscription',
      description:
        verb === 'enable'
          ? 'Also one Fluxi disabled after failed deliveries (disabledReason is cleared). GraphQL: enableNotificationSubscription(enabled: true).'
          : 'Nothing is sent to it until it is enabled again. GraphQL: enableNotificationSubscription(enabled: false).',
      tag: 'notifications',
      role: 'writer',
      params: IdParams,
      status: 200,
      response: NotificationSubscription,
      handle: (gql, { params }) =>
        gql.call(
          'mutation',
          'enableNotificationSubscription',
          { id: 'ID!', enabled: 'Boolean!' },
          { id: params.id, enabled: verb === 'enable' },
          NotificationSubscription,
        ),
    }),
  ),
  route({
    method: 'post',
    path: '/notifications/{id}/rotate-secret',
    operationId: 'rotateNotificationSecret',
    summary: 'Make a new signing secret (shown once)',
    description:
      'Deliveries from now on are signed with the new secret; the answer is the only time it is shown. ' +
      'GraphQL: rotateNotificationSecret.',
    tag: 'notifications',
    role: 'writer',
    params: IdParams,
    status: 200,
    response: NotificationSubscriptionWithSecret,
    handle: (gql, { params }) =>
      gql.call('mutation', 'rotateNotificationSecret', { id: 'ID!' }, params, NotificationSubscriptionWithSecret),
  }),
  route({
    method: 'get',
    path: '/notifications/{id}/deliveries',
    operationId: 'listNotificationDeliveries',
    summary: "A notification subscription's deliveries, with their attempts",
    description: 'Newest first. GraphQL: notificationSubscription(id).deliveries.',
    tag: 'notifications',
    role: 'reader',
    params: IdParams,
    query: PageQuery,
    status: 200,
    response: pageOf(NotificationDelivery, 'NotificationDeliveryPage'),
    handle: async (gql, { params, query }) => {
      const select = `{ deliveries(first: $first, after: $after) { nodes ${selectionOf(NotificationDelivery)} endCursor hasNextPage } }`;
      const variables = { id: params.id, first: query.limit ?? 20, after: query.cursor ?? null };
      const subscription = found(
        (await gql.call(
          'query',
          'notificationSubscription',
          { id: 'ID!', $first: 'Int', $after: 'String' },
          variables,
          select,
        )) as { deliveries: Connection } | null,
        'notification subscription',
        params.id,
      );
      return fromConnection(subscription.deliveries);
    },
  }),
  route({
    method: 'post',
    path: '/notification-deliveries/{id}/redeliver',
    operationId: 'redeliverNotification',
    summary: 'Send a notification once more',
    description:
      'A new attempt with the same webhook-id (receivers deduplicate by it), also of a delivery given up. ' +
      'GraphQL: redeliverNotification(deliveryId).',
    tag: 'notifications',
    role: 'writer',
    params: IdParams,
    status: 200,
    response: NotificationDelivery,
    handle: (gql, { params }) =>
      gql.call(
        'mutation',
        'redeliverNotification',
        { deliveryId: 'ID!' },
        { deliveryId: params.id },
        NotificationDelivery,
      ),
  }),
];
