import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { badInput, FluxiError } from '@fluxi/common';
import type { Principal } from '@fluxi/graphql';
import type { LogFollowEvent } from './live-types.js';
import type { PipelineLogEvent } from './pipeline-log-follow.js';
import type { RunEventView } from './run-event-view.js';

/** What the live schema's resolvers need from the gateway: the follows, per caller. */
export interface LiveFollows {
  jobRunLogs(
    principal: Principal,
    request: { jobRunId: string; attempt?: number; fromSeq?: number; levels?: string[] },
  ): Promise<AsyncIterable<LogFollowEvent>>;
  pipelineRunLogs(
    principal: Principal,
    request: { pipelineRunId: string; levels?: string[] },
  ): Promise<AsyncIterable<PipelineLogEvent>>;
  pipelineRun(request: { pipelineRunId: string; fromSeq?: number }): Promise<AsyncIterable<RunEventView>>;
  pipelineRuns(request: { pipelineId?: string }): AsyncIterable<RunEventView>;
}

export interface LiveContext {
  principal: Principal;
}

const typeDefs = /* GraphQL */ `
  "The level of a log line, detected by the executor from common patterns (as the logs subgraph's LineLevel)."
  enum LineLevel {
    ERROR
    WARN
    INFO
    DEBUG
    "No level recognised in the line."
    NONE
  }

  "A line of a job's output, live."
  type LiveLogLine {
    jobRunId: ID!
    attempt: Int!
    "Position within its attempt, from 1; a retry starts over at 1."
    seq: Int!
    "STDOUT, STDERR or SYSTEM."
    stream: String!
    level: LineLevel!
    text: String!
    ts: String!
    "The job's name in its run: set in a pipeline run's merged log."
    jobName: String
  }

  "The end of a followed job run's log: its final status, after its last line."
  type JobRunLogEnd {
    jobRunId: ID!
    "The job's name in its run: set in a pipeline run's merged log."
    jobName: String
    "SUCCESS, FAILED, CANCELLED or SKIPPED."
    status: String!
    attempt: Int!
  }

  union JobRunLogEvent = LiveLogLine | JobRunLogEnd

  "The end of a pipeline run's merged log: the run's final status, after every job run's end."
  type PipelineRunLogEnd {
    pipelineRunId: ID!
    status: String!
  }

  union PipelineRunLogEvent = LiveLogLine | JobRunLogEnd | PipelineRunLogEnd

  type RunState {
    status: String!
    number: Int!
    "The pipeline's (or single job's) name as frozen in the run: in its CREATED event; empty in later ones."
    name: String!
    trigger: String!
    reason: String
    waitingForGroup: String
    createdAt: String
    startedAt: String
    endedAt: String
  }

  type StageState {
    index: Int!
    name: String!
    status: String!
    startedAt: String
    endedAt: String
  }

  type JobRunState {
    jobRunId: ID!
    name: String!
    stageName: String!
    stageIndex: Int!
    jobId: ID!
    position: Int!
    status: String!
    attempt: Int!
    exitCode: Int
    failureClass: String
    reason: String
    startedAt: String
    endedAt: String
    notBefore: String
  }

  type AttemptState {
    jobRunId: ID!
    name: String!
    attempt: Int!
    status: String!
    exitCode: Int
    failureClass: String
    reason: String
    startedAt: String
    endedAt: String
  }

  """
  One state change of a pipeline run, a stage, a job run or an attempt: exactly one of
  run, stage, jobRun and attempt is set, with the whole new state.
  """
  type RunEvent {
    id: ID!
    pipelineRunId: ID!
    "1, 2, 3… per pipeline run, without gaps."
    seq: Int!
    at: String!
    "CREATED, QUEUED, STARTED, SUCCEEDED, FAILED, CANCELLED, SKIPPED, RETRY_SCHEDULED, ATTEMPT_ENDED, ADMITTED."
    kind: String!
    pipelineId: ID
    jobId: ID
    run: RunState
    stage: StageState
    jobRun: JobRunState
    attempt: AttemptState
  }

  type Query {
    "Subscriptions are served on this endpoint over graphql-ws; queries and mutations over HTTP."
    liveInfo: String!
  }

  type Subscription {
    """
    A job run's output: the lines printed so far from fromSeq (default 1) of attempt (default
    the latest), then the live ones, in seq order, each once, following retries; ends with
    JobRunLogEnd once the job run is final. levels keeps only lines of those levels.
    """
    jobRunLogs(jobRunId: ID!, attempt: Int, fromSeq: Int, levels: [LineLevel!]): JobRunLogEvent!
    """
    Every job run's log of a pipeline run, merged as printed, each line tagged with its job
    (jobName); a JobRunLogEnd per job run, then PipelineRunLogEnd once the run ended.
    """
    pipelineRunLogs(id: ID!, levels: [LineLevel!]): PipelineRunLogEvent!
    "A pipeline run's events from fromSeq (default 1: its whole story), ending after the run ended."
    pipelineRunUpdated(id: ID!, fromSeq: Int): RunEvent!
    "Events of every pipeline run from now on, or of one pipeline's runs."
    pipelineRunsUpdated(pipelineId: ID): RunEvent!
  }
`;

/** Ends a follow that failed with an event carrying the error, so the client gets it as a GraphQL error. */
async function* errorsAsEvents<T>(events: AsyncIterable<T>): AsyncGenerator<T | FluxiError> {
  try {
    yield* events;
  } catch (error) {
    yield error instanceof FluxiError ? error : new FluxiError('INTERNAL', 'the live follow failed');
  }
}

function positive(value: number | null | undefined, field: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (value < 1) throw badInput(`${field} starts at 1`, field);
  return value;
}

/** Each event of a subscription as its field's value; a failed follow's error as the field's error. */
const payload = (value: unknown): unknown => {
  if (value instanceof FluxiError) throw value;
  return value;
};

/** Which union member an event of a log follow is (they carry their `kind`). */
function typeOfLogEvent(event: { kind: LogFollowEvent['kind'] | PipelineLogEvent['kind'] }): string {
  if (event.kind === 'line') return 'LiveLogLine';
  return event.kind === 'end' && 'pipelineRunId' in event ? 'PipelineRunLogEnd' : 'JobRunLogEnd';
}

interface JobRunLogsArgs {
  jobRunId: string;
  attempt?: number | null;
  fromSeq?: number | null;
  levels?: string[] | null;
}

export function liveSchema(follows: LiveFollows): GraphQLSchema {
  return makeExecutableSchema<LiveContext>({
    typeDefs,
    resolvers: {
      Query: { liveInfo: () => 'subscriptions over graphql-ws on this endpoint' },
      JobRunLogEvent: { __resolveType: typeOfLogEvent },
      PipelineRunLogEvent: { __resolveType: typeOfLogEvent },
      LiveLogLine: {},
      Subscription: {
        jobRunLogs: {
          subscribe: async (_: unknown, args: JobRunLogsArgs, context: LiveContext) => {
            const attempt = positive(args.attempt, 'attempt');
            const fromSeq = positive(args.fromSeq, 'fromSeq');
            const events = await follows.jobRunLogs(context.principal, {
              jobRunId: args.jobRunId,
              ...(attempt === undefined ? {} : { attempt }),
              ...(fromSeq === undefined ? {} : { fromSeq }),
              ...(args.levels ? { levels: args.levels } : {}),
            });
            return errorsAsEvents(events);
          },
          resolve: (event: LogFollowEvent | FluxiError) => {
            const value = payload(event) as LogFollowEvent;
            return value.kind === 'line' ? { ...value, ...value.line } : { ...value, ...value.end };
          },
        },
        pipelineRunLogs: {
          subscribe: async (_: unknown, args: { id: string; levels?: string[] | null }, context: LiveContext) =>
            errorsAsEvents(
              await follows.pipelineRunLogs(context.principal, {
                pipelineRunId: args.id,
                ...(args.levels ? { levels: args.levels } : {}),
              }),
            ),
          resolve: (event: PipelineLogEvent | FluxiError) => {
            const value = payload(event) as PipelineLogEvent;
            return value.kind === 'line' ? { ...value, ...value.line } : { ...value, ...value.end };
          },
        },
        pipelineRunUpdated: {
          subscribe: async (_: unknown, args: { id: string; fromSeq?: number | null }) => {
            const fromSeq = positive(args.fromSeq, 'fromSeq');
            const events = await follows.pipelineRun({
              pipelineRunId: args.id,
              ...(fromSeq === undefined ? {} : { fromSeq }),
            });
            return errorsAsEvents(events);
          },
          resolve: payload,
        },
        pipelineRunsUpdated: {
          subscribe: (_: unknown, args: { pipelineId?: string | null }) =>
            errorsAsEvents(follows.pipelineRuns(args.pipelineId ? { pipelineId: args.pipelineId } : {})),
          resolve: payload,
        },
      },
    },
  });
}
