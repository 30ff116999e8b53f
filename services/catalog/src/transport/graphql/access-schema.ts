import { gql } from '@fluxi/graphql';

/** Users, API keys and the audit log, added to the catalog subgraph by schema.ts. */
export const accessTypeDefs = gql`
  "admin: everything; writer: jobs, pipelines, schedules and their runs; reader: read only."
  enum Role {
    admin
    writer
    reader
  }

  type Me {
    userId: ID!
    userName: String!
    role: Role!
    "The API key or login session in use."
    keyId: ID!
  }

  type User {
    id: ID!
    name: String!
    role: Role!
    createdAt: String!
    "Set while the user is disabled: their keys and sessions are refused."
    disabledAt: String
    disabled: Boolean!
    "Whether a password is set (for logins through POST /api/v1/auth/login)."
    hasPassword: Boolean!
    apiKeys: [ApiKey!]!
  }

  type ApiKey {
    id: ID!
    name: String!
    userId: ID!
    "What the key starts with (fluxi_<keyId>); the secret part is never shown again."
    prefix: String!
    createdAt: String!
    "Last time it was accepted (recorded at most once a minute)."
    lastUsedAt: String
    "Refused from then on; null: never expires."
    expiresAt: String
    revokedAt: String
  }

  type ApiKeyWithSecret {
    id: ID!
    name: String!
    role: Role!
    prefix: String!
    expiresAt: String
    "The plain key, shown only in this answer: fluxi_<keyId>_<secret>."
    key: String!
  }

  input CreateUserInput {
    name: String!
    role: Role!
    "At least 12 characters; without one the user can only use API keys."
    password: String
  }

  input UpdateUserInput {
    role: Role
    disabled: Boolean
    password: String
  }

  input CreateApiKeyInput {
    "Whose key (admin only for another user); default: the caller."
    userId: ID
    name: String!
    "ISO 8601 date-time in the future; default: never expires."
    expiresAt: String
  }

  enum AuditOutcome {
    success
    failure
    denied
  }

  "Who did what, when, to what, and how it ended."
  type AuditEntry {
    id: ID!
    at: String!
    userId: ID
    userName: String
    "The API key or session used (its id, never its secret)."
    keyId: ID
    "A mutation name (createJob), auth.login, auth.logout, auth.key_refused, secret.access …"
    action: String!
    target: String
    outcome: AuditOutcome!
    "JSON object: non-sensitive arguments, the error code and message of a failure."
    details: String!
    address: String
  }

  type AuditEntryConnection {
    nodes: [AuditEntry!]!
    endCursor: String
    hasNextPage: Boolean!
  }

  input AuditFilter {
    userId: ID
    action: String
    target: String
    outcome: AuditOutcome
    "ISO 8601; entries at or after."
    from: String
    "ISO 8601; entries before."
    to: String
  }

  extend type Query {
    me: Me!
    "Admin only."
    users: [User!]!
    "Admin only (or yourself)."
    user(id: ID!): User
    "Keys of a user (admin only for another user); default: the caller's."
    apiKeys(userId: ID): [ApiKey!]!
    "Newest first (admin only)."
    auditEntries(filter: AuditFilter, first: Int, after: String): AuditEntryConnection!
  }

  extend type Mutation {
    "Admin only."
    createUser(input: CreateUserInput!): User!
    "Admin only. The last enabled admin keeps the admin role and stays enabled."
    updateUser(id: ID!, input: UpdateUserInput!): User!
    "Admin only, with the user's keys and sessions. The last enabled admin cannot be deleted."
    deleteUser(id: ID!): Boolean!
    "Your own key, or (admin) anyone's."
    createApiKey(input: CreateApiKeyInput!): ApiKeyWithSecret!
    "Your own key, or (admin) anyone's. Idempotent."
    revokeApiKey(id: ID!): ApiKey!
  }
`;
