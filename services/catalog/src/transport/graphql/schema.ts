import { gql } from '@fluxi/graphql';

/** The catalog subgraph. Type and field names are a contract with the gateway and clients. */
export const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type EnvVar {
    name: String!
    value: String!
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
    createdAt: String!
    updatedAt: String!
  }

  type StageEntry {
    name: String!
    jobId: ID!
    job: Job!
    needs: [String!]!
  }

  type Stage {
    name: String!
    entries: [StageEntry!]!
  }

  type Pipeline @key(fields: "id") {
    id: ID!
    name: String!
    description: String
    stages: [Stage!]!
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
  }

  input StageEntryInput {
    jobId: ID!
    "Defaults to the job's name; unique within the pipeline."
    name: String
    needs: [String!]
  }

  input StageInput {
    name: String!
    entries: [StageEntryInput!]!
  }

  input PipelineInput {
    name: String!
    description: String
    stages: [StageInput!]!
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
    me: Me!
    users: [User!]!
  }

  type Mutation {
    createJob(input: CreateJobInput!): Job!
    updateJob(id: ID!, input: UpdateJobInput!): Job!
    deleteJob(id: ID!): Boolean!
    createPipeline(input: PipelineInput!): Pipeline!
    "Replaces the whole definition."
    updatePipeline(id: ID!, input: PipelineInput!): Pipeline!
    deletePipeline(id: ID!): Boolean!
    createUser(input: CreateUserInput!): User!
    createApiKey(input: CreateApiKeyInput!): ApiKeyWithSecret!
    revokeApiKey(id: ID!): ApiKey!
  }
`;
