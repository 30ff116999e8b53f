import { gql } from '@fluxi/graphql';

/** Copying a job, a pipeline or a schedule (writer role), added to the catalog subgraph by schema.ts. */
export const copyTypeDefs = gql`
  extend type Mutation {
    """
    A new job with the same definition and a new id, named \`name\` or, without it, the first free
    of <name>-copy, <name>-copy-2, <name>-copy-3… (names allow no spaces or parentheses).
    """
    copyJob(id: ID!, name: String): Job!
    """
    A new pipeline with the same stages and settings (the same jobs) and a new id, named as copyJob
    names. Its git source is copied without the webhook secret: set one before pushes start it.
    """
    copyPipeline(id: ID!, name: String): Pipeline!
    """
    A new schedule with the same timing, targets and policies and a new id, named as copyJob names.
    The copy starts disabled: enable it with updateSchedule. A one-shot whose time has passed cannot
    be copied (BAD_USER_INPUT on at).
    """
    copySchedule(id: ID!, name: String): Schedule!
  }
`;
