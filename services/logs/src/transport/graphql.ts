import { Injectable } from '@nestjs/common';
import { gql, type Resolvers } from '@fluxi/graphql';
import { parseLogQuery, type LogQueryArgs } from '../domain/log-query.js';
import { LogStore, type StoredLine } from '../store/log-store.js';

export const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  "One line of a job's output."
  type LogLine {
    "Position within its attempt, from 1, shared by all streams."
    seq: Int!
    "STDOUT, STDERR or SYSTEM (lines Fluxi itself wrote: start, timeout, kill)."
    stream: String!
    text: String!
    "When the executor read the line (ISO-8601)."
    ts: String!
    attempt: Int!
  }

  type Query {
    """
    Lines of a job run ordered by attempt then seq, each once. Without \`attempt\`,
    every attempt's lines; \`afterSeq\` (only lines after that seq) needs \`attempt\`.
    \`limit\` defaults to 10000, at most 100000.
    """
    jobRunLogs(jobRunId: ID!, attempt: Int, afterSeq: Int, limit: Int): [LogLine!]!
  }
`;

export interface LogLineView {
  seq: number;
  stream: string;
  text: string;
  ts: string;
  attempt: number;
}

export function toView(line: StoredLine): LogLineView {
  return {
    seq: line.seq,
    stream: line.stream,
    text: line.text,
    ts: new Date(line.tsMs).toISOString(),
    attempt: line.attempt,
  };
}

/** The logs subgraph's resolvers, over the store. */
@Injectable()
export class LogsSubgraph {
  constructor(private readonly store: LogStore) {}

  resolvers(): Resolvers {
    return {
      Query: {
        jobRunLogs: async (_parent: unknown, args: LogQueryArgs): Promise<LogLineView[]> =>
          (await this.store.lines(parseLogQuery(args))).map(toView),
      },
    };
  }
}
