import { badInput, notFound } from '@fluxi/common';
import { gql, requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import type { DeliveryRow, DeliveryStore } from '../store/delivery-store.js';

/**
 * The delivery log of notification subscriptions (the catalog owns NotificationSubscription; the
 * scheduler adds `deliveries`) and redelivery. Payloads are answered; secrets never reach here.
 */
export const notificationDeliveryTypeDefs = gql`
  enum NotificationDeliveryStatus {
    "Waiting for its next attempt (nextAttemptAt)."
    PENDING
    "A 2xx answer was received."
    DELIVERED
    "Given up: every attempt failed, or the subscription was disabled or deleted (deadReason)."
    DEAD
  }

  "One POST to a receiver."
  type NotificationAttempt {
    attempt: Int!
    at: String!
    "The receiver's HTTP status; null when it did not answer (see error)."
    statusCode: Int
    durationMs: Int!
    "At most 1 KiB of the receiver's answer."
    responseExcerpt: String
    error: String
  }

  type NotificationDelivery {
    "The webhook-id header: the same for every attempt."
    id: ID!
    subscriptionId: ID!
    "The payload type, e.g. pipeline_run.failed."
    eventType: String!
    pipelineRunId: ID
    "The Standard Webhooks payload as JSON text ({ type, version, timestamp, data })."
    payload: String!
    status: NotificationDeliveryStatus!
    attempts: [NotificationAttempt!]!
    nextAttemptAt: String
    deadReason: String
    createdAt: String!
  }

  type NotificationDeliveryPage {
    nodes: [NotificationDelivery!]!
    "Give as after for the next (older) page."
    endCursor: String
    hasNextPage: Boolean!
  }

  type NotificationSubscription @key(fields: "id") {
    id: ID!
    "Newest first; first from 1 to 200."
    deliveries(first: Int = 20, after: String): NotificationDeliveryPage!
  }

  extend type Query {
    "A subscription's delivery log, newest first (reader)."
    notificationDeliveries(subscriptionId: ID!, first: Int = 20, after: String): NotificationDeliveryPage!
  }

  extend type Mutation {
    "Sends a delivery once more, as a new attempt with the same webhook-id (writer)."
    redeliverNotification(deliveryId: ID!): NotificationDelivery!
  }
`;

const MAX_PAGE = 200;

export function deliveryObject(row: DeliveryRow): Record<string, unknown> {
  return {
    id: row.id,
    subscriptionId: row.subscriptionId,
    eventType: row.eventType,
    pipelineRunId: row.pipelineRunId,
    payload: JSON.stringify(row.payload),
    status: row.status,
    attempts: row.attemptLog.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
    deadReason: row.deadReason,
    createdAt: row.createdAt.toISOString(),
  };
}

export function notificationDeliveryResolvers(store: DeliveryStore, delivered: () => void, now: () => Date): Resolvers {
  const page = async (
    subscriptionId: string,
    args: { first?: number | null; after?: string | null },
    ctx: SubgraphContext,
  ) => {
    requireRole(ctx.principal, 'reader', 'reading notification deliveries');
    const first = args.first ?? 20;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
      throw badInput(`first must be from 1 to ${MAX_PAGE}`, 'first');
    }
    const rows = await store.page(subscriptionId, first + 1, args.after ?? null);
    const nodes = rows.slice(0, first);
    return {
      nodes: nodes.map(deliveryObject),
      endCursor: nodes.at(-1)?.id ?? null,
      hasNextPage: rows.length > first,
    };
  };
  return {
    Query: {
      notificationDeliveries: (
        _: unknown,
        args: { subscriptionId: string; first?: number | null; after?: string | null },
        ctx: SubgraphContext,
      ) => page(args.subscriptionId, args, ctx),
    },
    Mutation: {
      redeliverNotification: async (_: unknown, { deliveryId }: { deliveryId: string }, ctx: SubgraphContext) => {
        requireRole(ctx.principal, 'writer', 'redeliverNotification');
        const row = await store.redeliver(deliveryId, now());
        if (row === undefined) throw notFound('notification delivery', deliveryId);
        delivered();
        return deliveryObject(row);
      },
    },
    NotificationSubscription: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      deliveries: (
        subscription: { id: string },
        args: { first?: number | null; after?: string | null },
        ctx: SubgraphContext,
      ) => page(subscription.id, args, ctx),
    },
  };
}
