import { badInput } from '@fluxi/common';
import { gql, requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import type { WebhookDeliveryStore } from '../../store/webhook-deliveries.js';

/** The git webhook delivery list (the gateway records each delivery it receives). */
export const webhookDeliveryTypeDefs = gql`
  "What became of a git webhook delivery."
  enum WebhookDeliveryResult {
    "At least one run was created."
    STARTED
    "Every matching pipeline already had its run for this delivery id (a redelivery)."
    DUPLICATE
    "Verified, but no pipeline's branch, tag or event filter matches."
    NO_MATCH
    "Ping, another event, a deleted branch or tag: nothing to start."
    IGNORED
    "No pipeline's webhook secret verifies its signature (answered 401)."
    UNAUTHORIZED
    "A body that is not what its event header says (answered 400)."
    INVALID
    "A body over gateway.webhooks.maxBodyBytes (answered 413)."
    TOO_LARGE
    "The catalog or the scheduler could not be reached (answered 503; a redelivery is safe)."
    FAILED
  }

  type WebhookDeliveryRun {
    pipelineId: ID!
    pipelineRunId: ID!
    number: Int!
    "False when an earlier delivery with the same id started it."
    created: Boolean!
  }

  type WebhookDelivery {
    id: ID!
    receivedAt: String!
    "github or gitlab."
    provider: String!
    "As the sender named it (push, Push Hook, ping)."
    event: String!
    deliveryId: String!
    "Repository key: github.com/owner/repo."
    repository: String!
    ref: String!
    commit: String!
    result: WebhookDeliveryResult!
    "Why nothing, or what, was started."
    message: String!
    "Pipelines whose webhook secret verified the delivery."
    pipelineIds: [ID!]!
    runs: [WebhookDeliveryRun!]!
  }

  type WebhookDeliveryPage {
    nodes: [WebhookDelivery!]!
    "Give as after for the next (older) page."
    endCursor: String
    hasNextPage: Boolean!
  }

  extend type Query {
    "Received git webhook deliveries, newest first; pipelineId keeps those verified for that pipeline. first: 1 to 100."
    webhookDeliveries(pipelineId: ID, first: Int = 20, after: String): WebhookDeliveryPage!
  }
`;

interface DeliveriesArgs {
  pipelineId?: string | null;
  first?: number | null;
  after?: string | null;
}

export function webhookDeliveryResolvers(store: WebhookDeliveryStore): Resolvers {
  return {
    Query: {
      webhookDeliveries: async (_: unknown, args: DeliveriesArgs, ctx: SubgraphContext) => {
        requireRole(ctx.principal, 'reader', 'listing webhook deliveries');
        const first = args.first ?? 20;
        if (!Number.isInteger(first) || first < 1 || first > 100) {
          throw badInput(`first must be a whole number from 1 to 100, got ${first}`, 'first');
        }
        const page = await store.list({ pipelineId: args.pipelineId ?? null, first, after: args.after ?? null });
        return { ...page, nodes: page.nodes.map((d) => ({ ...d, receivedAt: d.receivedAt.toISOString() })) };
      },
    },
  };
}
