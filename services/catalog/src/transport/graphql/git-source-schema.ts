import { gql } from '@fluxi/graphql';

/** The git source of a pipeline (git webhooks), added to the catalog subgraph by schema.ts. */
export const gitSourceTypeDefs = gql`
  "What a git webhook delivery is."
  enum GitEvent {
    "A push to a branch."
    PUSH
    "A pushed tag."
    TAG
  }

  "The repository whose pushes start a pipeline (POST /hooks/github, /hooks/gitlab)."
  type GitSource {
    "As written: what executors fetch for a job with checkout."
    repository: String!
    "The form deliveries are matched by, whatever URL form they name: github.com/owner/repo."
    repositoryKey: String!
    "Branch globs (release/*, !wip/**); empty: every branch."
    branches: [String!]!
    "Tag globs (v*); empty: every tag."
    tags: [String!]!
    "Empty: both."
    events: [GitEvent!]!
    "Whether a webhook secret is set; the secret itself is never returned."
    hasWebhookSecret: Boolean!
    webhookSecretSetAt: String
  }

  extend type Pipeline {
    "The repository whose pushes start it; null: none."
    git: GitSource
  }

  input GitSourceInput {
    "https://host/owner/repo, git@host:owner/repo, ssh://… or file:///path; no password or token."
    repository: String!
    branches: [String!]
    tags: [String!]
    events: [GitEvent!]
    "Write-only (16 to 1024 characters): stored encrypted, never returned. Absent: the current secret is kept."
    webhookSecret: String
  }

  extend input PipelineInput {
    "Absent: no git source (and no webhook secret)."
    git: GitSourceInput
  }

  extend type Job {
    "Fetch the run's commit (of the git push that started it) into the work folder before the command."
    checkout: Boolean!
  }

  extend input CreateJobInput {
    "Default false. A run not started by a git push has no commit: the job then fails (JOB) saying so."
    checkout: Boolean
  }

  extend input UpdateJobInput {
    checkout: Boolean
  }

  extend type Mutation {
    "Sets (16 to 1024 characters, stored encrypted) or, with null, clears the webhook secret of a pipeline with a git source."
    setPipelineWebhookSecret(pipelineId: ID!, secret: String): Pipeline!
  }
`;
