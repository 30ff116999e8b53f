import { gql } from '@fluxi/graphql';

/**
 * Secrets (admin only) and the secrets a job lists, added to the catalog subgraph by schema.ts. No
 * field ever carries a secret's value: it is written by setSecret and only given to attempts.
 */
export const secretTypeDefs = gql`
  enum SecretScope {
    "Every job that lists the name sees it."
    GLOBAL
    "Jobs of one pipeline's runs see it, over a global secret of the same name."
    PIPELINE
  }

  "A secret, without its value: the value is never returned once set."
  type Secret {
    id: ID!
    "A shell identifier: the environment variable the jobs listing it get."
    name: String!
    scope: SecretScope!
    "The pipeline of a PIPELINE secret; null for a global one."
    pipelineId: ID
    createdAt: String!
    "When the value was last set."
    updatedAt: String!
    "When an attempt was last given the value; null: never."
    lastUsedAt: String
  }

  input SetSecretInput {
    "A shell identifier (letters, digits and _, not starting with a digit)."
    name: String!
    "4 to 65536 characters; stored encrypted, masked in what jobs print, never shown again."
    value: String!
    "Set: the secret of that pipeline; null or absent: the global one."
    pipelineId: ID
  }

  extend type Job {
    "Names of secrets the attempt gets as environment variables (a pipeline's own secret over the global one)."
    secrets: [String!]!
  }

  extend input CreateJobInput {
    "Secret names (shell identifiers, at most 64); a name not set when an attempt starts fails it."
    secrets: [String!]
  }

  extend input UpdateJobInput {
    secrets: [String!]
  }

  extend type Query {
    "Secrets without their values (admin only): every one, or only those of pipelineId."
    secrets(pipelineId: ID): [Secret!]!
  }

  extend type Mutation {
    "Creates the secret of (name, scope) or replaces its value (admin only)."
    setSecret(input: SetSecretInput!): Secret!
    "Deletes a secret (admin only); attempts that list its name then fail until it is set again."
    deleteSecret(id: ID!): Boolean!
    "Seals every stored secret and webhook secret that a previous key (secrets.previousKeys) sealed again with the current key (admin only). Returns how many were sealed again."
    rotateSecrets: Int!
  }
`;
