/** One line of a job's output as live clients get it (GraphQL subscription and SSE alike). */
export interface LiveLogLine {
  jobRunId: string;
  attempt: number;
  seq: number;
  /** STDOUT, STDERR or SYSTEM. */
  stream: string;
  /** ERROR, WARN, INFO, DEBUG, or NONE when nothing in the line tells (as the logs subgraph's LineLevel). */
  level: string;
  text: string;
  /** ISO-8601 time the executor read the line. */
  ts: string;
}

/** How a followed job run ended. */
export interface JobRunEnd {
  jobRunId: string;
  /** The job run's final status: SUCCESS, FAILED or CANCELLED. */
  status: string;
  /** Its last attempt. */
  attempt: number;
}

/** What a live log follow yields: lines, then the end. */
export type LogFollowEvent = { kind: 'line'; line: LiveLogLine } | { kind: 'end'; end: JobRunEnd };

/** Stops something started for a follow (a stream reader). */
export type Stop = () => Promise<void>;

/** The lines of a job run stored so far and the live stream of its next ones. */
export interface LogSources {
  /** The job run's pipeline run and latest attempt; undefined when there is no such job run. */
  jobRun(jobRunId: string): Promise<{ pipelineRunId: string; attempt: number } | undefined>;
  /** Stored lines of `attempt` with seq > `afterSeq`, in seq order, at most `limit`. */
  stored(jobRunId: string, attempt: number, afterSeq: number, limit: number): Promise<LiveLogLine[]>;
  /**
   * The lines published for the job run, from the first one the stream still holds (what the
   * logs service has not stored yet, and a second more), in publication order, until stopped.
   * Needs only the job run's id, so it can open before the job run was looked up.
   */
  tail(jobRunId: string, onLines: (lines: LiveLogLine[]) => void): Promise<Stop>;
  /**
   * The lines published for the job run from now on, as they go by: no history, no server-side
   * reader to make first (so they come before `tail` opens), and one missed is not told. The
   * follow sends one only when it is the very next line; `tail` brings every line in order.
   */
  passing(jobRunId: string, onLines: (lines: LiveLogLine[]) => void): Stop;
  /**
   * The first chunk of the job run's lines the stream holds (none: empty), in one request and
   * without a reader made on the server: the follow sends a job's first lines from it while
   * `tail` is being opened.
   */
  first(jobRunId: string): Promise<LiveLogLine[]>;
  /** Each attempt's end as its executor reported it: the attempt and its last seq. */
  attemptEnds(jobRunId: string, onEnd: (attempt: number, lastSeq: number) => void): Promise<Stop>;
  /**
   * The job run's final status, once the scheduler decided it (no retry left); `ran` is
   * false when its last attempt never started (skipped, cancelled in the queue).
   */
  jobRunEnd(
    ref: { pipelineRunId: string; jobRunId: string },
    onEnd: (end: JobRunEnd, ran: boolean) => void,
  ): Promise<Stop>;
}

/** What a client asks to follow. */
export interface LogFollowRequest {
  jobRunId: string;
  /** The attempt to start with; default the job run's latest when the follow starts. */
  attempt?: number | undefined;
  /** The first seq to send; default 1 (everything). */
  fromSeq?: number | undefined;
  /** Only lines of these levels (ERROR, WARN, INFO, DEBUG, NONE); all when unset or empty. */
  levels?: readonly string[] | undefined;
}

export interface LogFollowOptions {
  /** Lines read from the store per request. */
  pageSize?: number;
  /** Events kept for a client that reads slower than the job prints; past it the follow ends with an error. */
  bufferSize?: number;
  /** How long missing lines are looked for in the store before the live stream is read again from its start. */
  gapWaitMs?: number;
  /** How long the end waits for the last attempt's lines (its executor's report of its last seq). */
  endWaitMs?: number;
  /**
   * With none of the job run's lines on the stream when the follow starts, how long a first line
   * from the stream is waited for before the store is read (the lines may be stored and gone
   * from the stream); 0: the store at once.
   */
  storeWaitMs?: number;
}
