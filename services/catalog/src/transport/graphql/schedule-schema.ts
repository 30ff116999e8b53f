import { gql } from '@fluxi/graphql';

/**
 * Schedules (cron or one-shot, targets, policies), added to the catalog subgraph by schema.ts. Their
 * fire history is the scheduler's: it extends Schedule with `history` (federation).
 */
export const scheduleTypeDefs = gql`
  "What a fire does while the run it started earlier for the same target still runs."
  enum OverlapPolicy {
    "Start another run (the default)."
    ALLOW
    "Start nothing; the history says why."
    SKIP
    "Start it once the previous run ended (one waiting fire per target; more are skipped)."
    QUEUE
  }

  "Planned times missed while no scheduler ran (older than a minute; younger ones fire late, once)."
  enum MissedFirePolicy {
    "Record them as skipped."
    SKIP
    "One run for all of them, the latest (the default)."
    RUN_ONCE
    "Every one of them, the latest 100 at most."
    ALL
  }

  "A pipeline or a single job a schedule starts (exactly one id is set)."
  type ScheduleTarget {
    pipelineId: ID
    pipeline: Pipeline
    jobId: ID
    job: Job
  }

  type Schedule @key(fields: "id") {
    id: ID!
    name: String!
    "Started together, in parallel, at each fire."
    targets: [ScheduleTarget!]!
    "The first target when it is a pipeline."
    pipelineId: ID @deprecated(reason: "Use targets.")
    pipeline: Pipeline @deprecated(reason: "Use targets.")
    "Cron expression (5 fields, or 6 with seconds first; macros; L, W, #); null when at is set."
    cron: String
    "One instant (ISO 8601); null when cron is set."
    at: String
    "IANA time zone the cron expression is read in."
    timezone: String!
    enabled: Boolean!
    overlap: OverlapPolicy!
    missedFires: MissedFirePolicy!
    "In English, with the time zone: At 02:30, Monday through Friday (Europe/Paris)."
    description: String!
    "The next fire times (ISO 8601, UTC), earliest first; none when disabled or a one-shot passed. count from 1 to 100."
    nextFireTimes(count: Int = 5): [String!]!
    "Planned times at or before this are not this definition's (created, enabled again, cron/at/timezone changed)."
    activeSince: String!
    createdAt: String!
    updatedAt: String!
  }

  "A pipeline or a job, exactly one."
  input ScheduleTargetInput {
    pipelineId: ID
    jobId: ID
  }

  input CreateScheduleInput {
    name: String!
    "Shorthand for targets: [{ pipelineId }]; exactly one of pipelineId and targets."
    pipelineId: ID
    "1 to 16 pipelines and jobs, started together at each fire."
    targets: [ScheduleTargetInput!]
    "Exactly one of cron and at."
    cron: String
    "ISO 8601: with an offset that instant; without one read in timezone. Must be in the future."
    at: String
    "IANA time zone; UTC by default."
    timezone: String
    enabled: Boolean
    overlap: OverlapPolicy
    missedFires: MissedFirePolicy
  }

  "Fields left out keep their value; null clears an optional field (or resets it to its default). pipelineId or targets replaces the targets."
  input UpdateScheduleInput {
    name: String
    pipelineId: ID
    targets: [ScheduleTargetInput!]
    cron: String
    at: String
    timezone: String
    enabled: Boolean
    overlap: OverlapPolicy
    missedFires: MissedFirePolicy
  }
`;
