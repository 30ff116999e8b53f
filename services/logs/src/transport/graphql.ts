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
import {
  DEFAULT_CONTEXT_LINES,
  DEFAULT_SEARCH_PAGE,
  encodeSearchCursor,
  MAX_CONTEXT_LINES,
  MAX_SEARCH_PAGE,
  parseOccurrenceArgs,
  parseSearchArgs,
  type SearchArgs,
  type SearchFilterArgs,
} from '../domain/log-search.js';
import { LogStore, type FoundLine, type SearchHit, type StoredLine } from '../store/log-store.js';
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
    "The level the executor detected in the line (NONE: none recognised); SYSTEM lines carry their own."
    level: LineLevel!
  }

  "The level of a log line, detected by the executor from common patterns (ERROR, warn:, [debug], level=info, a JSON level field…)."
  enum LineLevel {
    ERROR
    WARN
    INFO
    DEBUG
    "No level recognised in the line."
    NONE
  }

  enum LineStream {
    STDOUT
    STDERR
    SYSTEM
  }

  "How an attempt ended, as its executor reported it."
  enum AttemptStatus {
    SUCCESS
    FAILED
    CANCELLED
  }

  "Search order: by line time, then job run, attempt and seq."
  enum LogSearchOrder {
    NEWEST_FIRST
    OLDEST_FIRST
  }

  "Filters of a log search; every one given must hold."
  input LogSearchFilter {
    pipelineId: ID
    pipelineRunId: ID
    jobId: ID
    "The job's name (as a pipeline entry or a job run on its own)."
    jobName: String
    jobRunId: ID
    "Lines of attempts that ended so (attempts still running have no status yet)."
    status: [AttemptStatus!]
    levels: [LineLevel!]
    streams: [LineStream!]
    "Lines at or after this time (ISO-8601)."
    from: String
    "Lines before this time (ISO-8601)."
    to: String
  }

  "A line a search found, where it is, and the lines around it in its attempt."
  type LogSearchHit {
    pipelineRunId: ID!
    "Empty for lines stored before pipelines were recorded on log lines."
    pipelineId: ID!
    jobRunId: ID!
    jobId: ID!
    jobName: String!
    attempt: Int!
    "The line number within its attempt."
    seq: Int!
    ts: String!
    level: LineLevel!
    stream: String!
    text: String!
    "Up to \`context\` lines before this one in its attempt, in seq order."
    before: [LogLine!]!
    "Up to \`context\` lines after this one in its attempt, in seq order."
    after: [LogLine!]!
  }

  type LogSearchPage {
    hits: [LogSearchHit!]!
    "Pass it as \`after\` (with the same query, filter and order) for the next page; null when there is none."
    nextCursor: String
    hasMore: Boolean!
  }

  "A line where a search matched, without context."
  type LogOccurrence {
    pipelineRunId: ID!
    pipelineId: ID!
    jobRunId: ID!
    jobId: ID!
    jobName: String!
    attempt: Int!
    seq: Int!
    ts: String!
    level: LineLevel!
    stream: String!
    text: String!
  }

  "Matching lines of one UTC day."
  type LogOccurrenceDay {
    "YYYY-MM-DD (UTC)"
    day: String!
    count: Int!
    "How many job runs printed them."
    jobRuns: Int!
  }

  type LogOccurrences {
    "Matching lines still stored (each once)."
    totalCount: Int!
    "The oldest matching line: when this first appeared (within retention)."
    first: LogOccurrence
    "The newest matching line."
    last: LogOccurrence
    "Days with matching lines, oldest first."
    days: [LogOccurrenceDay!]!
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
    jobRunLogs(jobRunId: ID!, attempt: Int, after: String, first: Int, levels: [LineLevel!]): LogLinePage!

    """
    Searches the stored log lines of every run. \`query\`: words (each must be in the line,
    anywhere, ignoring case), "exact phrases" (the same, spaces included) and /regular
    expressions/ (RE2, case-sensitive unless they start with (?i)); every term must match;
    empty: every line the filter lets through. Hits come newest first unless \`order\` says
    otherwise, each with \`context\` lines before and after (default ${DEFAULT_CONTEXT_LINES}, at
    most ${MAX_CONTEXT_LINES}); \`first\` hits a page (default ${DEFAULT_SEARCH_PAGE}, at most ${MAX_SEARCH_PAGE}), \`after\` the
    \`nextCursor\` of the page before. Lines past their retention are gone.
    """
    searchLogs(
      query: String
      filter: LogSearchFilter
      order: LogSearchOrder = NEWEST_FIRST
      context: Int = ${DEFAULT_CONTEXT_LINES}
      first: Int = ${DEFAULT_SEARCH_PAGE}
      after: String
    ): LogSearchPage!

    "When did this first appear? The first and last line matching \`query\` (as in searchLogs) and a count per day."
    logOccurrences(query: String!, filter: LogSearchFilter): LogOccurrences!
  }
`;

export interface LogLineView {
  seq: number;
  stream: string;
  text: string;
  ts: string;
  attempt: number;
  level: string;
}

export function toView(line: StoredLine): LogLineView {
  return {
    seq: line.seq,
    stream: line.stream,
    text: line.text,
    ts: new Date(line.tsMs).toISOString(),
    attempt: line.attempt,
    level: line.level,
  };
}

export interface OccurrenceView extends LogLineView {
  pipelineRunId: string;
  pipelineId: string;
  jobRunId: string;
  jobId: string;
  jobName: string;
}

export interface SearchHitView extends OccurrenceView {
  before: LogLineView[];
  after: LogLineView[];
}

function toOccurrence(line: FoundLine): OccurrenceView {
  return {
    ...toView(line),
    pipelineRunId: line.pipelineRunId,
    pipelineId: line.pipelineId,
    jobRunId: line.jobRunId,
    jobId: line.jobId,
    jobName: line.jobName,
  };
}

function toHit(hit: SearchHit): SearchHitView {
  return { ...toOccurrence(hit), before: hit.before.map(toView), after: hit.after.map(toView) };
}

/** The logs subgraph's resolvers, over the store and the scheduler's job runs. */
@Injectable()
export class LogsSubgraph {
  constructor(
    private readonly store: LogStore,
    private readonly jobRuns: SchedulerJobRuns,
  ) {}

  /** A page of a job run's lines; NOT_FOUND when the scheduler has no such job run. */
  async page(args: LogPageArgs): Promise<LogPage<LogLineView, () => Promise<number>>> {
    const request = parseLogPageArgs(args);
    const jobRun = await this.jobRuns.find(request.jobRunId);
    if (jobRun === undefined) throw notFound('job run', request.jobRunId);
    const query = logQueryFor(request, jobRun.latestAttempt);
    const read = await this.store.lines(query);
    // Counted only when the client asks for it (GraphQL calls a field's function): a live
    // follow reads the lines alone, and the count is a query of its own.
    const totalCount = () => this.store.countLines(query.jobRunId, query.attempt, request.levels);
    return toPage(request, query, read.map(toView), totalCount);
  }

  /** A page of search hits; one more is read to tell whether there are more. */
  async search(args: SearchArgs): Promise<{ hits: SearchHitView[]; nextCursor: string | null; hasMore: boolean }> {
    const request = parseSearchArgs(args);
    await this.store.checkRegexes(request.terms);
    const read = await this.store.search(request.terms, request.filter, {
      order: request.order,
      after: request.after,
      limit: request.first + 1,
      context: request.context,
    });
    const hits = read.slice(0, request.first);
    const hasMore = read.length > request.first;
    const last = hits.at(-1);
    return {
      hits: hits.map(toHit),
      nextCursor: hasMore && last !== undefined ? encodeSearchCursor(request.fingerprint, last) : null,
      hasMore,
    };
  }

  async occurrences(args: { query: string; filter?: SearchFilterArgs | null }) {
    const { terms, filter } = parseOccurrenceArgs(args);
    await this.store.checkRegexes(terms);
    const found = await this.store.occurrences(terms, filter);
    return {
      totalCount: found.totalCount,
      first: found.first === undefined ? null : toOccurrence(found.first),
      last: found.last === undefined ? null : toOccurrence(found.last),
      days: found.days,
    };
  }

  resolvers(): Resolvers {
    return {
      Query: {
        jobRunLogs: (_parent: unknown, args: LogPageArgs) => this.page(args),
        searchLogs: (_parent: unknown, args: SearchArgs) => this.search(args),
        logOccurrences: (_parent: unknown, args: { query: string; filter?: SearchFilterArgs | null }) =>
          this.occurrences(args),
      },
    };
  }
}
