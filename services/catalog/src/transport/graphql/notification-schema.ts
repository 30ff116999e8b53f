import { gql } from '@fluxi/graphql';

/**
 * Notification subscriptions (outgoing webhooks), added to the catalog subgraph by main.ts. The
 * signing secret is answered once, by createNotificationSubscription (and by an update that sets a
 * new one); the scheduler contributes `deliveries` (the delivery log).
 */
export const notificationTypeDefs = gql`
  "What a subscription is notified of (the payload's type in parentheses)."
  enum NotificationEvent {
    "A pipeline run started its first job (pipeline_run.started)."
    PIPELINE_RUN_STARTED
    "(pipeline_run.succeeded)"
    PIPELINE_RUN_SUCCEEDED
    "(pipeline_run.failed)"
    PIPELINE_RUN_FAILED
    "(pipeline_run.cancelled)"
    PIPELINE_RUN_CANCELLED
    "A job run ended FAILED (job_run.failed)."
    JOB_RUN_FAILED
    "An attempt ended because its executor stopped answering (executor.lost)."
    EXECUTOR_LOST
    "A schedule's fire could not start a run of a target (schedule.fire_failed)."
    SCHEDULE_FIRE_FAILED
    "An executor event the scheduler could not apply at any delivery was dead-lettered (system.critical_error)."
    CRITICAL_ERROR
  }

  enum NotificationFormat {
    "Standard Webhooks JSON: { type, version, timestamp, data }."
    STANDARD
    "Slack-compatible: { text }."
    SLACK
  }

  "Where and when Fluxi POSTs signed notifications (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature)."
  type NotificationSubscription @key(fields: "id") {
    id: ID!
    name: String!
    url: String!
    events: [NotificationEvent!]!
    "Only runs of these pipelines; empty: every pipeline."
    pipelineIds: [ID!]!
    "Only runs on these branches (* matches any characters); empty: every run."
    branches: [String!]!
    format: NotificationFormat!
    enabled: Boolean!
    "Why Fluxi disabled it (its receiver failed too many deliveries in a row); null otherwise."
    disabledReason: String
    disabledAt: String
    "When the signing secret was last set (it is shown only when set)."
    secretSetAt: String!
    createdAt: String!
    updatedAt: String!
  }

  "A subscription with its signing secret, shown this once."
  type NotificationSubscriptionWithSecret {
    subscription: NotificationSubscription!
    "whsec_<base64>: verify deliveries with it (any Standard Webhooks library)."
    secret: String!
  }

  input CreateNotificationSubscriptionInput {
    name: String!
    "An http or https URL, without credentials."
    url: String!
    events: [NotificationEvent!]!
    pipelineIds: [ID!]
    branches: [String!]
    "STANDARD when absent."
    format: NotificationFormat
    "whsec_ and the base64 of 24 to 64 bytes; absent: one is made (and answered once)."
    secret: String
    enabled: Boolean
  }

  input UpdateNotificationSubscriptionInput {
    name: String
    url: String
    events: [NotificationEvent!]
    pipelineIds: [ID!]
    branches: [String!]
    format: NotificationFormat
    "A new signing secret (whsec_…); use rotateNotificationSecret to have one made."
    secret: String
    enabled: Boolean
  }

  extend type Query {
    "Every subscription, without secrets (readers may list)."
    notificationSubscriptions: [NotificationSubscription!]!
    notificationSubscription(id: ID!): NotificationSubscription
  }

  extend type Mutation {
    "Creates a subscription (writer); the answer holds the signing secret, shown this once."
    createNotificationSubscription(input: CreateNotificationSubscriptionInput!): NotificationSubscriptionWithSecret!
    "Changes the given fields (writer); enabling clears disabledReason."
    updateNotificationSubscription(id: ID!, input: UpdateNotificationSubscriptionInput!): NotificationSubscription!
    "Makes a new signing secret (writer), answered this once."
    rotateNotificationSecret(id: ID!): NotificationSubscriptionWithSecret!
    "Enables or disables a subscription (writer)."
    enableNotificationSubscription(id: ID!, enabled: Boolean!): NotificationSubscription!
    deleteNotificationSubscription(id: ID!): Boolean!
  }
`;
