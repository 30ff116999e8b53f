// The follow's ports in memory, and helpers, for the log follow's tests.
import type { JobRunEnd, LiveLogLine, LogFollowEvent, LogSources, Stop } from './live-types.js';

export const JOB_RUN = 'JR1';

export const line = (attempt: number, seq: number, level = 'NONE'): LiveLogLine => ({
  jobRunId: JOB_RUN,
  attempt,
  seq,
  stream: 'STDOUT',
  level,
  text: `a${attempt} line ${seq}`,
  ts: new Date(1_700_000_000_000 + seq).toISOString(),
});

/**
 * The follow's ports in memory, driven by the test: what the store holds, what the live
 * stream delivers (and from where it was opened), the executors' attempt ends and the
 * scheduler's final status.
 */
export class Sources implements LogSources {
  store: LiveLogLine[] = [];
  /** What the live stream holds, in publication order; a tail opened at 'start' gets all of it. */
  published: LiveLogLine[] = [];
  tails: Array<{ push: (lines: LiveLogLine[]) => void; open: boolean }> = [];
  /** Plain subscriptions to what is published (no history). */
  passers: Array<{ push: (lines: LiveLogLine[]) => void; open: boolean }> = [];
  /** When set, a tail is made (and delivers) only once it resolves (a busy server). */
  tailGate: Promise<void> | undefined;
  /** When set, the store answers only once it resolves (a slow logs service). */
  storeGate: Promise<void> | undefined;
  /** When set, the job run lookup answers only once it resolves (a busy scheduler). */
  lookupGate: Promise<void> | undefined;
  private attemptEnd: ((attempt: number, lastSeq: number) => void) | undefined;
  private end: ((end: JobRunEnd, ran: boolean) => void) | undefined;

  async jobRun(jobRunId: string) {
    await this.lookupGate;
    return jobRunId === JOB_RUN ? { pipelineRunId: 'PR1', attempt: 1 } : undefined;
  }

  /** The store's reads: after which seq each one asked. */
  storeReads: number[] = [];

  async stored(_jobRunId: string, attempt: number, afterSeq: number, limit: number) {
    this.storeReads.push(afterSeq);
    await this.storeGate;
    return this.store.filter((l) => l.attempt === attempt && l.seq > afterSeq).slice(0, limit);
  }

  async tail(_jobRunId: string, onLines: (lines: LiveLogLine[]) => void): Promise<Stop> {
    await this.tailGate;
    const tail = { push: onLines, open: true };
    this.tails.push(tail);
    if (this.published.length > 0) onLines([...this.published]);
    return async () => {
      tail.open = false;
    };
  }

  /** The stream's first chunk: here the first lines published (up to two). */
  async first(): Promise<LiveLogLine[]> {
    return this.published.slice(0, 2);
  }

  passing(_jobRunId: string, onLines: (lines: LiveLogLine[]) => void): Stop {
    const passer = { push: onLines, open: true };
    this.passers.push(passer);
    return async () => {
      passer.open = false;
    };
  }

  async attemptEnds(_jobRunId: string, onEnd: (attempt: number, lastSeq: number) => void): Promise<Stop> {
    this.attemptEnd = onEnd;
    return async () => undefined;
  }

  async jobRunEnd(_ref: unknown, onEnd: (end: JobRunEnd, ran: boolean) => void): Promise<Stop> {
    this.end = onEnd;
    return async () => undefined;
  }

  /** A line printed now: published on the live stream (to the open tails). */
  print(...lines: LiveLogLine[]): void {
    this.published.push(...lines);
    for (const tail of this.tails) if (tail.open) tail.push(lines);
    for (const passer of this.passers) if (passer.open) passer.push(lines);
  }

  finishAttempt(attempt: number, lastSeq: number): void {
    this.attemptEnd?.(attempt, lastSeq);
  }

  finish(status: string, attempt = 1, ran = true): void {
    this.end?.({ jobRunId: JOB_RUN, status, attempt }, ran);
  }
}

/** Reads `events` into `seen` as they come; `done` settles when the follow ends. */
export function reading(events: AsyncIterableIterator<LogFollowEvent>): {
  seen: LogFollowEvent[];
  done: Promise<void>;
} {
  const seen: LogFollowEvent[] = [];
  const done = (async () => {
    for await (const event of events) seen.push(event);
  })();
  return { seen, done };
}

export async function collect(events: AsyncIterableIterator<LogFollowEvent>): Promise<LogFollowEvent[]> {
  const seen: LogFollowEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

export const seqs = (events: LogFollowEvent[]) =>
  events.flatMap((event) => (event.kind === 'line' ? [`${event.line.attempt}.${event.line.seq}`] : []));
export const range = (attempt: number, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${attempt}.${from + i}`);
export const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
