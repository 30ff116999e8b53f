import { gql } from '@fluxi/graphql';

/** The scheduler's subgraph. Names are a contract with clients and the gateway. */
export const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  enum RunStatus {
    PENDING
    QUEUED
    RUNNING
    SUCCESS
    FAILED
    CANCELLED
    SKIPPED
    "A manual job run waiting for a person (playJobRun); a run held by one that may not fail, with nothing else queued or running (GitLab: blocked)."
    MANUAL
  }

  "How a run was started."
  enum RunTrigger {
    MANUAL
    API
    SCHEDULE
    WEBHOOK
    RERUN
  }

  "A run of a pipeline (pipelineId set) or of a single job (jobId set), frozen when it was triggered."
  type PipelineRun @key(fields: "id") {
    id: ID!
    pipelineId: ID
    jobId: ID
    "1, 2, 3… per pipeline (or per job for single-job runs)."
    number: Int!
    status: RunStatus!
    "SUCCESS although a job allowed to fail failed: passed with warnings."
    warnings: Boolean!
    "Why the run ended as it did when no job run says it (cancelled, timed out)."
    reason: String
    "What started it (its source): manual, api, schedule, webhook or rerun."
    trigger: String!
    "User id of who started it."
    triggeredBy: ID
    triggeredByName: String
    branch: String
    commit: String
    "The trigger's idempotency key: a second trigger with it returned this run."
    idempotencyKey: String
    "The schedule that fired it, and the time the occurrence was planned for."
    scheduleId: ID
    plannedAt: String
    "The webhook delivery (the provider's delivery id) that started it."
    webhookDeliveryId: String
    "The git push behind it (webhook runs, and their reruns)."
    git: GitPush
    "Pipeline variables given at trigger time (kept by reruns), by name; plain text, never masked."
    variables: [PipelineVariable!]!
    "The run this one reruns."
    rerunOf: ID
    "A rerun of the failed jobs only (the successful ones are reused)."
    failedOnly: Boolean!
    timeoutSec: Int
    "When the run times out."
    deadlineAt: String
    concurrencyGroup: String
    "Waiting for an earlier run of its concurrency group to end."
    waiting: Boolean!
    createdAt: String!
    startedAt: String
    endedAt: String
    "One record per stage, in order."
    stages: [StageRun!]!
    "In stage order, then entry order (matrix cells in expansion order)."
    jobRuns: [JobRun!]!
  }

  type StageRun {
    index: Int!
    name: String!
    status: RunStatus!
    startedAt: String
    endedAt: String
  }

  type MatrixValue {
    name: String!
    value: String!
  }

  type JobRun @key(fields: "id") {
    id: ID!
    pipelineRunId: ID!
    jobId: ID!
    "Unique in the run: the entry name, with the matrix values of a matrix cell."
    name: String!
    "The pipeline entry it comes from."
    entry: String!
    "Stage name."
    stage: String!
    matrix: [MatrixValue!]!
    "on_success, on_failure or always."
    when: String!
    allowFailure: Boolean!
    status: RunStatus!
    exitCode: Int
    "Current attempt, from 1."
    attempt: Int!
    maxAttempts: Int!
    "When the current attempt may start (retry backoff)."
    notBefore: String
    "JOB, TIMEOUT, INFRASTRUCTURE or CANCELLED when the job run did not succeed."
    failureClass: String
    reason: String
    "Why a PENDING or QUEUED job run waits, as of now (e.g. waiting: no executor in pool linux-docker has tags [gpu]); null otherwise."
    waitingReason: String
    "The job run of an earlier run whose success this one reuses (failed-only rerun)."
    reusedFrom: ID
    startedAt: String
    endedAt: String
    "Every attempt, each with its own outcome (its logs: jobRunLogs with attempt)."
    attempts: [JobRunAttempt!]!
    "Files saved after the job; download them from the gateway at downloadPath."
    artifacts: [Artifact!]!
  }

  type JobRunAttempt {
    attempt: Int!
    status: RunStatus!
    notBefore: String
    startedAt: String
    endedAt: String
    exitCode: Int
    failureClass: String
    reason: String
  }

  type Artifact {
    path: String!
    sizeBytes: Float!
    "Gateway path to download it (GET, same API key)."
    downloadPath: String!
  }

  enum ContextKind {
    JOB
    PIPELINE
  }

  type ContextPart {
    name: String!
    jobRunId: ID!
    contextId: ID
  }

  "The latest standard output of a job (CJ…) or pipeline (CP…), used by $$(name)."
  type Context {
    id: ID!
    kind: ContextKind!
    "Job or pipeline id."
    ownerId: ID!
    name: String!
    value: String!
    "Size of the whole output; more than value holds when truncated."
    sizeBytes: Float!
    truncated: Boolean!
    "Says so when the value was cut at the size cap."
    note: String
    pipelineRunId: ID
    jobRunId: ID
    startedAt: String
    durationMs: Float
    exitCode: Int
    status: String
    "A pipeline context's jobs, each with its own context."
    parts: [ContextPart!]!
    updatedAt: String!
  }

  enum ExecutorState {
    "Running nothing, taking work."
    IDLE
    "Running attempts, taking work while below its capacity."
    BUSY
    "Finishing what it runs, taking nothing new (drainExecutor, or stopping)."
    DRAINING
    "No heartbeat for two intervals: killed, its host gone, or cut off from NATS."
    LOST
  }

  "An attempt an executor runs."
  type ExecutorAttempt {
    jobRunId: ID!
    attempt: Int!
    startedAt: String!
    jobRun: JobRun
  }

  "An executor process, as its heartbeats in the registry tell."
  type Executor {
    "host:pid, unique per process (the executorId of its attempts)."
    id: ID!
    "Stable across restarts (executor.name, default the host name)."
    name: String!
    host: String!
    pid: Int!
    pool: String!
    tags: [String!]!
    "Drivers it can run jobs with: shell, docker."
    drivers: [String!]!
    "Fluxi version of the executor."
    version: String!
    state: ExecutorState!
    running: [ExecutorAttempt!]!
    "Attempts it runs at once."
    capacity: Int!
    "When it sent its last heartbeat (its own clock)."
    lastHeartbeatAt: String!
    startedAt: String!
    heartbeatSec: Float!
    "Why it takes no new job although not DRAINING: its host is under the admission thresholds (executor.admission), e.g. 'free memory 300 MiB is under 512 MiB'. Null while it takes work."
    pausedReason: String
  }

  input TriggerOptions {
    "MANUAL (default) or API; SCHEDULE and WEBHOOK are set by Fluxi itself."
    trigger: RunTrigger
    branch: String
    commit: String
    "Held unique: triggering again with the same key returns the first run instead of a new one."
    idempotencyKey: String
    "GitLab pipeline variables: seen by rules and set in every job run's env, over the job's own env. At most 50; names [A-Za-z_][A-Za-z0-9_]* (not FLUXI_*); values up to 10 KiB. Not secret: use secrets for secrets."
    variables: [PipelineVariableInput!]
  }

  input PipelineVariableInput {
    name: String!
    value: String!
  }

  "A pipeline variable given at trigger time."
  type PipelineVariable {
    name: String!
    value: String!
  }

  "A git push (or tag push) that started a run."
  type GitPush {
    repository: String!
    "Full ref: refs/heads/main, refs/tags/v1.2.0."
    ref: String!
    "branch or tag."
    refType: String!
    commit: String!
    author: String!
    message: String!
    compareUrl: String!
  }

  type Query {
    pipelineRun(id: ID!): PipelineRun
    "Newest first; limit between 1 and 100."
    pipelineRuns(pipelineId: ID!, limit: Int = 20): [PipelineRun!]!
    jobRun(id: ID!): JobRun
    "By context id (CJ…, CP…), job name or pipeline name."
    context(name: String!): Context
    contexts: [Context!]!
    "Running executors and, for 10 minutes after their last heartbeat, lost ones; by id."
    executors: [Executor!]!
  }

  type Mutation {
    triggerPipeline(id: ID!, options: TriggerOptions): PipelineRun!
    triggerJob(id: ID!, options: TriggerOptions): PipelineRun!
    "Stops every open job run: queued ones leave the queue, running ones are killed."
    cancelPipelineRun(id: ID!, reason: String): PipelineRun!
    cancelJobRun(id: ID!, reason: String): JobRun!
    "Starts a MANUAL job run (GitLab when: manual); a run that had ended opens again until it is over."
    playJobRun(id: ID!): JobRun!
    "A new run of the same frozen definition; failedOnly keeps the successful job runs."
    rerunPipelineRun(id: ID!, failedOnly: Boolean = false): PipelineRun!
    "Empties a context (as before its first run)."
    resetContext(name: String!): Context!
    "Admin: the executor finishes what it runs and takes nothing new (state DRAINING); returns once it says so, or after 5 s."
    drainExecutor(id: ID!): Executor!
    "Admin: a drained executor takes work again, once the jobs it was finishing ended."
    resumeExecutor(id: ID!): Executor!
  }
`;
