import { gql } from '@fluxi/graphql';
import { asCodeTypeDefs } from './as-code-schema.js';

/**
 * The catalog subgraph. Type and field names are a contract with the gateway and clients.
 * Pipelines-as-code types and operations are in as-code-schema.ts.
 */
export const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type EnvVar {
    name: String!
    value: String!
  }

  enum RetryOn {
    JOB
    TIMEOUT
    INFRASTRUCTURE
  }

  enum BackoffKind {
    FIXED
    EXPONENTIAL
  }

  enum When {
    ON_SUCCESS
    ON_FAILURE
    ALWAYS
  }

  "When and how a failed attempt is tried again, up to the job's maxAttempts."
  type RetryPolicy {
    "Failure classes retried; empty means all three."
    on: [RetryOn!]!
    "When set, a JOB failure is retried only for these exit codes."
    exitCodes: [Int!]!
    backoff: BackoffKind!
    delaySec: Float!
    "Upper bound of one delay; null: no cap."
    maxDelaySec: Float
    jitter: Boolean!
  }

  type Job @key(fields: "id") {
    id: ID!
    name: String!
    command: String!
    image: String
    env: [EnvVar!]!
    workdir: String
    timeoutSec: Int
    maxAttempts: Int!
    allowFailure: Boolean!
    retry: RetryPolicy!
    "Globs relative to the work folder, saved as artifacts after the job."
    artifacts: [String!]!
    createdAt: String!
    updatedAt: String!
  }

  type MatrixAxis {
    name: String!
    values: [String!]!
  }

  type StageEntry {
    name: String!
    jobId: ID!
    job: Job!
    needs: [String!]!
    when: When!
    "One job run per combination of values; each axis is set as an environment variable."
    matrix: [MatrixAxis!]!
    "Overrides the job's allowFailure when not null."
    allowFailure: Boolean
  }

  type Stage {
    name: String!
    entries: [StageEntry!]!
  }

  type Concurrency {
    group: String!
    "Cancel the group's older open runs instead of waiting for them."
    cancelOlder: Boolean!
  }

  type Pipeline @key(fields: "id") {
    id: ID!
    name: String!
    description: String
    stages: [Stage!]!
    "Whole-run timeout in seconds; null: none."
    timeoutSec: Int
    concurrency: Concurrency
    createdAt: String!
    updatedAt: String!
  }

  type Schedule @key(fields: "id") {
    id: ID!
    name: String!
    pipelineId: ID!
    pipeline: Pipeline!
    "Five-field cron expression (or @hourly, @daily, ...); null when at is set."
    cron: String
    "One instant (ISO 8601); null when cron is set."
    at: String
    "IANA time zone the cron expression is read in."
    timezone: String!
    enabled: Boolean!
    createdAt: String!
    updatedAt: String!
  }

  enum Role {
    admin
    writer
    reader
  }

  type Me {
    userId: ID!
    userName: String!
    role: Role!
    keyId: ID!
  }

  type User {
    id: ID!
    name: String!
    role: Role!
    createdAt: String!
    apiKeys: [ApiKey!]!
  }

  type ApiKey {
    id: ID!
    name: String!
    userId: ID!
    createdAt: String!
    revokedAt: String
  }

  type ApiKeyWithSecret {
    id: ID!
    name: String!
    role: Role!
    "The plain key, shown only in this answer: fluxi_<keyId>_<secret>."
    key: String!
  }

  input EnvVarInput {
    name: String!
    value: String!
  }

  input CreateJobInput {
    name: String!
    command: String!
    image: String
    env: [EnvVarInput!]
    workdir: String
    timeoutSec: Int
    maxAttempts: Int
    allowFailure: Boolean
    "Replaced whole when set."
    retry: RetryPolicyInput
    artifacts: [String!]
  }

  "Fields left out keep their value; null clears an optional field (or resets it to its default)."
  input UpdateJobInput {
    name: String
    command: String
    image: String
    env: [EnvVarInput!]
    workdir: String
    timeoutSec: Int
    maxAttempts: Int
    allowFailure: Boolean
    "Replaced whole when set."
    retry: RetryPolicyInput
    artifacts: [String!]
  }

  input RetryPolicyInput {
    on: [RetryOn!]
    exitCodes: [Int!]
    backoff: BackoffKind
    delaySec: Float
    maxDelaySec: Float
    jitter: Boolean
  }

  input MatrixAxisInput {
    name: String!
    values: [String!]!
  }

  input StageEntryInput {
    jobId: ID!
    "Defaults to the job's name; unique within the pipeline."
    name: String
    needs: [String!]
    when: When
    matrix: [MatrixAxisInput!]
    allowFailure: Boolean
  }

  input ConcurrencyInput {
    group: String!
    cancelOlder: Boolean
  }

  input StageInput {
    name: String!
    entries: [StageEntryInput!]!
  }

  input PipelineInput {
    name: String!
    description: String
    stages: [StageInput!]!
    timeoutSec: Int
    concurrency: ConcurrencyInput
  }

  input CreateScheduleInput {
    name: String!
    pipelineId: ID!
    "Exactly one of cron and at."
    cron: String
    at: String
    "IANA time zone; UTC by default."
    timezone: String
    enabled: Boolean
  }

  "Fields left out keep their value; null clears an optional field (or resets it to its default)."
  input UpdateScheduleInput {
    name: String
    pipelineId: ID
    cron: String
    at: String
    timezone: String
    enabled: Boolean
  }

  input CreateUserInput {
    name: String!
    role: Role!
  }

  input CreateApiKeyInput {
    userId: ID!
    name: String!
  }

  type Query {
    jobs: [Job!]!
    job(id: ID!): Job
    pipelines: [Pipeline!]!
    pipeline(id: ID!): Pipeline
    schedules: [Schedule!]!
    schedule(id: ID!): Schedule
    me: Me!
    users: [User!]!
  }

  "Log levels of Fluxi's own processes (setLogLevel)."
  enum LogLevel {
    DEBUG
    INFO
    WARN
    ERROR
    SILENT
  }

  type Mutation {
    "Sets the log level of every Fluxi process from now on, until it restarts (admin only). Returns the level set."
    setLogLevel(level: LogLevel!): LogLevel!
    createJob(input: CreateJobInput!): Job!
    updateJob(id: ID!, input: UpdateJobInput!): Job!
    deleteJob(id: ID!): Boolean!
    createPipeline(input: PipelineInput!): Pipeline!
    "Replaces the whole definition."
    updatePipeline(id: ID!, input: PipelineInput!): Pipeline!
    deletePipeline(id: ID!): Boolean!
    createSchedule(input: CreateScheduleInput!): Schedule!
    updateSchedule(id: ID!, input: UpdateScheduleInput!): Schedule!
    deleteSchedule(id: ID!): Boolean!
    createUser(input: CreateUserInput!): User!
    createApiKey(input: CreateApiKeyInput!): ApiKeyWithSecret!
    revokeApiKey(id: ID!): ApiKey!
  }
  ${asCodeTypeDefs}
`;
