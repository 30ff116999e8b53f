import { Injectable } from '@nestjs/common';
import { notFound } from '@fluxi/common';
import { gql, type Resolvers } from '@fluxi/graphql';
import {
  DEFAULT_PAGE_SIZE,
  logQueryFor,
  MAX_PAGE_SIZE,
  parseLogPageArgs,
  toPage,
  type LogPage,
  type LogPageArgs,
} from '../domain/log-query.js';
import { LogStore, type StoredLine } from '../store/log-store.js';
import { SchedulerJobRuns } from './job-runs.js';

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

  "A page of one attempt's output, in seq order."
  type LogLinePage {
    lines: [LogLine!]!
    "The attempt these lines are of: the one asked for, the cursor's, or else the job run's latest."
    attempt: Int!
    "How many lines this attempt has stored now, over all pages."
    totalCount: Int!
    """
    Pass it as \`after\` to read on after this page. Also set when \`hasMore\` is false, so a
    client following a running job can ask again for what it prints next; null only on an
    empty page asked without \`after\`.
    """
    nextCursor: String
    "Whether more lines of this attempt are stored after this page."
    hasMore: Boolean!
  }

  type Query {
    """
    The output of one attempt of a job run, a page at a time, in seq order, each line once.
    \`attempt\` defaults to the cursor's attempt, else to the job run's latest (the answer's
    \`attempt\` says which); read earlier attempts one by one (\`JobRun.attempts\` lists them).
    \`after\` is the \`nextCursor\` of an earlier page. \`first\` is the page size: default
    ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}. A job run that does not exist is NOT_FOUND;
    one that has printed nothing yet answers an empty page.
    """
    jobRunLogs(jobRunId: ID!, attempt: Int, after: String, first: Int): LogLinePage!
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

/** The logs subgraph's resolvers, over the store and the scheduler's job runs. */
@Injectable()
export class LogsSubgraph {
  constructor(
    private readonly store: LogStore,
    private readonly jobRuns: SchedulerJobRuns,
  ) {}

  /** A page of a job run's lines; NOT_FOUND when the scheduler has no such job run. */
  async page(args: LogPageArgs): Promise<LogPage<LogLineView>> {
    const request = parseLogPageArgs(args);
    const jobRun = await this.jobRuns.find(request.jobRunId);
    if (jobRun === undefined) throw notFound('job run', request.jobRunId);
    const query = logQueryFor(request, jobRun.latestAttempt);
    const [read, totalCount] = await Promise.all([
      this.store.lines(query),
      this.store.countLines(query.jobRunId, query.attempt),
    ]);
    return toPage(request, query, read.map(toView), totalCount);
  }

  resolvers(): Resolvers {
    return {
      Query: {
        jobRunLogs: (_parent: unknown, args: LogPageArgs) => this.page(args),
      },
    };
  }
}
