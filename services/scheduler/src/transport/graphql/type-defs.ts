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
  }

  "A run of a pipeline (pipelineId set) or of a single job (jobId set), frozen when it was triggered."
  type PipelineRun @key(fields: "id") {
    id: ID!
    pipelineId: ID
    jobId: ID
    "1, 2, 3… per pipeline (or per job for single-job runs)."
    number: Int!
    status: RunStatus!
    "How the run was started: manual (later also api, schedule, webhook)."
    trigger: String!
    createdAt: String!
    startedAt: String
    endedAt: String
    "In stage order, then entry order."
    jobRuns: [JobRun!]!
  }

  type JobRun @key(fields: "id") {
    id: ID!
    pipelineRunId: ID!
    jobId: ID!
    "Entry name in the pipeline."
    name: String!
    "Stage name."
    stage: String!
    status: RunStatus!
    exitCode: Int
    "Current attempt, from 1."
    attempt: Int!
    "JOB, TIMEOUT, INFRASTRUCTURE or CANCELLED when the job run did not succeed."
    failureClass: String
    reason: String
    startedAt: String
    endedAt: String
  }

  type Query {
    pipelineRun(id: ID!): PipelineRun
    "Newest first; limit between 1 and 100."
    pipelineRuns(pipelineId: ID!, limit: Int = 20): [PipelineRun!]!
  }

  type Mutation {
    triggerPipeline(id: ID!): PipelineRun!
    triggerJob(id: ID!): PipelineRun!
  }
`;
