import { FluxiError, type Logger } from '@fluxi/common';
import {
  ContractVersion,
  GetJobRunRequestSchema,
  GetJobRunResponseSchema,
  JobRunEventSchema,
  LogChunkSchema,
  LogLevel,
  LogStream,
  RunEventSchema,
  RunStatus,
  Streams,
  Subjects,
  create,
  encodeLogCursor,
  type LogLine,
} from '@fluxi/contracts';
import { encodePrincipal, inProcessFetch, PRINCIPAL_HEADER, type Principal } from '@fluxi/graphql';
import { decode, firstMessage, followStream, request, type Nats } from '@fluxi/messaging';
import type { JobRunEnd, LiveLogLine, LogSources, Stop } from './live-types.js';

/** How long the logs subgraph has to answer one page. */
const STORED_TIMEOUT_MS = 15_000;

const STORED_QUERY = `query ($jobRunId: ID!, $attempt: Int, $after: String, $first: Int) {
  jobRunLogs(jobRunId: $jobRunId, attempt: $attempt, after: $after, first: $first) {
    lines { seq stream level text ts attempt }
  }
}`;

const FINAL: ReadonlyMap<RunStatus, string> = new Map([
  [RunStatus.SUCCESS, 'SUCCESS'],
  [RunStatus.FAILED, 'FAILED'],
  [RunStatus.CANCELLED, 'CANCELLED'],
  [RunStatus.SKIPPED, 'SKIPPED'],
  [RunStatus.MANUAL, 'MANUAL'],
]);

const levelName = (level: LogLevel): string => (level === LogLevel.UNSPECIFIED ? 'NONE' : (LogLevel[level] ?? 'NONE'));
const streamName = (stream: LogStream): string => LogStream[stream] ?? 'STDOUT';

/**
 * The live log follow's sources on the real parts: the scheduler's job runs (NATS
 * request), the logs subgraph's stored lines (GraphQL over HTTP, as the caller), the
 * FLUXI_LOGS stream (live lines) and FLUXI_EVENTS (the executors' attempt ends and the
 * scheduler's run events).
 */
export class NatsLogSources implements LogSources {
  /** Job runs looked up, by id: the route's check and the follow's start ask once (one request's sources). */
  private readonly jobRuns = new Map<string, Promise<{ pipelineRunId: string; attempt: number } | undefined>>();
  /** The logs subgraph without HTTP when it runs in this process. */
  private readonly fetch = inProcessFetch(fetch);

  constructor(
    private readonly nats: Nats,
    private readonly logsUrl: string,
    private readonly principal: Principal,
    private readonly logger: Logger,
  ) {}

  jobRun(jobRunId: string): Promise<{ pipelineRunId: string; attempt: number } | undefined> {
    let known = this.jobRuns.get(jobRunId);
    if (known === undefined) {
      known = this.lookUp(jobRunId);
      this.jobRuns.set(jobRunId, known);
      // A failed lookup is not kept: the next one asks again.
      known.catch(() => this.jobRuns.delete(jobRunId));
    }
    return known;
  }

  private async lookUp(jobRunId: string): Promise<{ pipelineRunId: string; attempt: number } | undefined> {
    const reply = await request(
      this.nats.nc,
      Subjects.jobRunGet,
      { request: GetJobRunRequestSchema, response: GetJobRunResponseSchema },
      create(GetJobRunRequestSchema, { version: ContractVersion.CONTRACT_VERSION_1, jobRunId }),
    );
    if (reply.result.case === 'jobRun') {
      return { pipelineRunId: reply.result.value.pipelineRunId, attempt: Math.max(1, reply.result.value.attempt) };
    }
    if (reply.result.case === 'error' && reply.result.value.code === 'NOT_FOUND') return undefined;
    throw new FluxiError('UNAVAILABLE', `the scheduler could not look up job run ${jobRunId}`);
  }

  async stored(jobRunId: string, attempt: number, afterSeq: number, limit: number): Promise<LiveLogLine[]> {
    const variables = {
      jobRunId,
      attempt,
      after: afterSeq > 0 ? encodeLogCursor({ attempt, seq: afterSeq }) : null,
      first: limit,
    };
    let response: Response;
    try {
      response = await this.fetch(this.logsUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [PRINCIPAL_HEADER]: encodePrincipal(this.principal) },
        body: JSON.stringify({ query: STORED_QUERY, variables }),
        signal: AbortSignal.timeout(STORED_TIMEOUT_MS),
      });
    } catch {
      throw new FluxiError('UNAVAILABLE', 'the logs service does not answer');
    }
    const body = (await response.json().catch(() => ({}))) as {
      data?: { jobRunLogs?: { lines: Array<Omit<LiveLogLine, 'jobRunId'>> } };
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    };
    const lines = body.data?.jobRunLogs?.lines;
    if (lines === undefined) {
      const error = body.errors?.[0];
      throw new FluxiError(
        error?.extensions?.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'UNAVAILABLE',
        error?.message ?? `the logs service answered ${response.status}`,
      );
    }
    return lines.map((line) => ({ ...line, jobRunId }));
  }

  tail(jobRunId: string, onLines: (lines: LiveLogLine[]) => void): Promise<Stop> {
    // Any pipeline run's chunks of this job run: a job run id is unique across them.
    return this.follow(Streams.logs.name, Subjects.logChunk('*', jobRunId), { seq: 1 }, (data) =>
      onLines(chunkLines(jobRunId, data)),
    );
  }

  passing(jobRunId: string, onLines: (lines: LiveLogLine[]) => void): Stop {
    // A plain subscription sees every publish to the stream's subjects as it happens.
    const subscription = this.nats.nc.subscribe(Subjects.logChunk('*', jobRunId), {
      callback: (error, message) => {
        if (error !== null) return;
        try {
          onLines(chunkLines(jobRunId, message.data));
        } catch (readError) {
          // The tail reads the same chunk and reports it.
          this.logger.debug({ err: readError, subject: message.subject }, 'live follow skipped an unreadable chunk');
        }
      },
    });
    return async () => subscription.unsubscribe();
  }

  async first(jobRunId: string): Promise<LiveLogLine[]> {
    const message = await firstMessage(this.nats, Streams.logs.name, Subjects.logChunk('*', jobRunId));
    if (message === null) return [];
    return chunkLines(jobRunId, message.data);
  }

  attemptEnds(jobRunId: string, onEnd: (attempt: number, lastSeq: number) => void): Promise<Stop> {
    return this.follow(Streams.events.name, Subjects.jobRunEvent(jobRunId), { seq: 1 }, (data) => {
      const event = decode(JobRunEventSchema, data);
      if (event.kind.case === 'finished') onEnd(event.attempt, Number(event.kind.value.lastSeq));
    });
  }

  jobRunEnd(
    ref: { pipelineRunId: string; jobRunId: string },
    onEnd: (end: JobRunEnd, ran: boolean) => void,
  ): Promise<Stop> {
    return this.follow(Streams.events.name, Subjects.runEvent(ref.pipelineRunId), { seq: 1 }, (data) => {
      const event = decode(RunEventSchema, data);
      if (event.entity.case !== 'jobRun' || event.entity.value.jobRunId !== ref.jobRunId) return;
      const status = FINAL.get(event.entity.value.status);
      const { attempt, startedAtMs } = event.entity.value;
      if (status !== undefined) onEnd({ jobRunId: ref.jobRunId, status, attempt }, startedAtMs !== 0n);
    });
  }

  private async follow(
    stream: string,
    subject: string,
    from: { seq: number } | { time: Date },
    handle: (data: Uint8Array) => void,
  ): Promise<Stop> {
    const follower = await followStream(
      this.nats,
      stream,
      (message) => {
        try {
          handle(message.data);
        } catch (error) {
          // A message this version cannot read: skipped, never fatal to the follow.
          this.logger.warn({ err: error, subject: message.subject }, 'live follow skipped an unreadable message');
        }
      },
      this.logger,
      { filterSubject: subject, from },
    );
    return () => follower.stop();
  }
}

/** The lines of one published log chunk, as live clients get them. */
function chunkLines(jobRunId: string, data: Uint8Array): LiveLogLine[] {
  return decode(LogChunkSchema, data).lines.map((line) => liveLine(jobRunId, line));
}

function liveLine(jobRunId: string, line: LogLine): LiveLogLine {
  return {
    jobRunId,
    attempt: line.attempt,
    seq: Number(line.seq),
    stream: streamName(line.stream),
    level: levelName(line.level),
    text: line.text,
    ts: new Date(Number(line.tsMs)).toISOString(),
  };
}
