import { gql } from '@fluxi/graphql';
import { asCodeTypeDefs } from './as-code-schema.js';
import { copyTypeDefs } from './copy-schema.js';
import { gitSourceTypeDefs } from './git-source-schema.js';
import { accessTypeDefs } from './access-schema.js';
import { scheduleTypeDefs } from './schedule-schema.js';
import { secretTypeDefs } from './secret-schema.js';

/**
 * The catalog subgraph. Type and field names are a contract with the gateway and clients.
 * Pipelines-as-code types and operations are in as-code-schema.ts.
 */
export const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type EnvVar {
    name: String!
    "null for a secret variable: its value is never answered."
    value: String
    "Marked secret: the value is stored encrypted, given to attempts only, and masked in their logs."
    secret: Boolean!
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
    "As ON_SUCCESS, then waits for a person (playJobRun)."
    MANUAL
  }

  "When the executor fetches a job's image."
  enum PullPolicy {
    "Only when the engine does not have the image (the default)."
    IF_NOT_PRESENT
    ALWAYS
    "Never: the image must be there."
    NEVER
  }

  "How a job with an image runs."
  type DockerOptions {
    pullPolicy: PullPolicy!
    "CPUs the container may use (fractions allowed); null: no limit."
    cpus: Float
    "Memory limit in MiB; null: no limit. A job killed for memory ends FAILED."
    memoryMiB: Int
    "Replaces the image's entrypoint, the command being its last argument; empty: the image's /bin/sh -c."
    entrypoint: [String!]!
    "Keep the container of a failed attempt for inspection."
    keepOnFailure: Boolean!
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
    "A failure with one of these exit codes does not fail the run."
    allowFailureExitCodes: [Int!]!
    retry: RetryPolicy!
    "Globs relative to the work folder, saved as artifacts after the job."
    artifacts: [String!]!
    "Executor pool the job runs in."
    pool: String!
    "Tags an executor of the pool must all carry to take the job."
    tags: [String!]!
    "Most attempts of this job running at once, across all runs; null: no limit."
    maxConcurrent: Int
    "How the job runs when it has an image."
    docker: DockerOptions!
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
    "Overrides the job's pool when not null."
    pool: String
    "Tags required besides the job's own."
    tags: [String!]!
    "Entries whose artifacts are restored before it starts; null: every entry it waits for."
    artifactsFrom: [String!]
    "Starts when the run starts, waiting for nothing (GitLab needs: [])."
    startAtOnce: Boolean!
    "A failure with one of these exit codes does not fail the run."
    allowFailureExitCodes: [Int!]!
    "Decided when a run is created (GitLab rules): the first that holds wins; none holding skips the entry."
    rules: [EntryRule!]!
  }

  enum RuleWhen {
    ON_SUCCESS
    ON_FAILURE
    ALWAYS
    MANUAL
    NEVER
  }

  type EntryRule {
    "GitLab expression over the run's CI_* variables and the job's env; null: holds."
    if: String
    when: RuleWhen!
    allowFailure: Boolean
  }

  input EntryRuleInput {
    if: String
    when: RuleWhen
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

  "Days kept after a run ended; null: the installation's default (scheduler.runRetentionDays, logs.retentionDays)."
  type Retention {
    "Ended runs with their job runs, attempts, outputs, artifacts and run events."
    runDays: Int
    "Log lines."
    logDays: Int
  }

  type Pipeline @key(fields: "id") {
    id: ID!
    name: String!
    description: String
    stages: [Stage!]!
    "Whole-run timeout in seconds; null: none."
    timeoutSec: Int
    concurrency: Concurrency
    "How long its ended runs and their logs are kept; null: the installation's defaults."
    retention: Retention
    createdAt: String!
    updatedAt: String!
  }

  input EnvVarInput {
    name: String!
    "Required unless secret: a secret variable sent without a value keeps its stored value."
    value: String
    "Stores the value encrypted (4+ characters), never answers it, masks it in logs."
    secret: Boolean
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
    "Exit codes (0-255) whose failure does not fail the run."
    allowFailureExitCodes: [Int!]
    "Replaced whole when set."
    retry: RetryPolicyInput
    artifacts: [String!]
    "Lowercase letters, digits and single -; default: default."
    pool: String
    "At most 16, named like pools."
    tags: [String!]
    maxConcurrent: Int
    "Only with an image."
    docker: DockerOptionsInput
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
    "Exit codes (0-255) whose failure does not fail the run."
    allowFailureExitCodes: [Int!]
    "Replaced whole when set."
    retry: RetryPolicyInput
    artifacts: [String!]
    pool: String
    tags: [String!]
    maxConcurrent: Int
    "Replaced whole when set."
    docker: DockerOptionsInput
  }

  input DockerOptionsInput {
    pullPolicy: PullPolicy
    "Above 0, at most 256."
    cpus: Float
    "At least 4."
    memoryMiB: Int
    entrypoint: [String!]
    keepOnFailure: Boolean
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
    "Runs the job in this pool instead of its own."
    pool: String
    "Tags required besides the job's own."
    tags: [String!]
    "Entries (each one it waits for) whose artifacts are restored before it starts; null: all it waits for."
    artifactsFrom: [String!]
    "Start when the run starts, waiting for nothing; no needs then."
    startAtOnce: Boolean
    "A failure with one of these exit codes (0-255) does not fail the run."
    allowFailureExitCodes: [Int!]
    rules: [EntryRuleInput!]
  }

  input ConcurrencyInput {
    group: String!
    cancelOlder: Boolean
  }

  "Whole days from 1 to 36500; null: the installation's default."
  input RetentionInput {
    runDays: Int
    logDays: Int
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
    retention: RetentionInput
  }

  type Query {
    jobs: [Job!]!
    job(id: ID!): Job
    pipelines: [Pipeline!]!
    pipeline(id: ID!): Pipeline
    schedules: [Schedule!]!
    schedule(id: ID!): Schedule
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
  }
  ${asCodeTypeDefs}
  ${gitSourceTypeDefs}
  ${scheduleTypeDefs}
  ${secretTypeDefs}
  ${copyTypeDefs}
  ${accessTypeDefs}
`;
