import { gql } from '@fluxi/graphql';

/** Pipelines as code: `fluxi.yaml` export, validation and import, `.gitlab-ci.yml` conversion. */
export const asCodeTypeDefs = gql`
  "One fault of a fluxi.yaml file: where it is (1-based) and what is wrong."
  type DefinitionProblem {
    line: Int
    column: Int
    "YAML path, such as pipelines.ci.stages[0].jobs[1].needs[0]; empty for the document itself."
    field: String!
    message: String!
  }

  type DefinitionChange {
    "job, pipeline or schedule"
    kind: String!
    name: String!
    "create, update or unchanged"
    action: String!
    "Changed fields of an update, as written in fluxi.yaml."
    fields: [String!]!
  }

  type ImportResult {
    dryRun: Boolean!
    changes: [DefinitionChange!]!
  }

  type GitlabImportResult {
    "The converted definitions, as imported."
    fluxiYaml: String!
    "What could not be mapped, one jobName.key: reason each."
    notMapped: [String!]!
    result: ImportResult!
  }

  extend type Query {
    "The JSON Schema of fluxi.yaml."
    definitionsSchema: String!
    "Every job, pipeline and schedule as one fluxi.yaml (sorted by name, defaults left out)."
    exportDefinitions: String!
    "Problems of a fluxi.yaml: all structural ones, else the first of each definition; [] when valid."
    validateDefinitions(yaml: String!): [DefinitionProblem!]!
  }

  extend type Mutation {
    "Creates or updates the file's definitions by name, all or nothing; never deletes."
    importDefinitions(yaml: String!, dryRun: Boolean = false): ImportResult!
    "Converts a .gitlab-ci.yml into jobs and one pipeline, then imports them."
    importGitlabCi(yaml: String!, pipelineName: String!, dryRun: Boolean = false): GitlabImportResult!
  }
`;
