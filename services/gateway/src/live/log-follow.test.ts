import { describe, expect, it } from 'vitest';
import type { JobRunEnd, LiveLogLine, LogFollowEvent, LogSources, Stop } from './live-types.js';
import { followJobRunLogs } from './log-follow.js';

const JOB_RUN = 'JR1';

const line = (attempt: number, seq: number, level = 'NONE'): LiveLogLine => ({
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
class Sources implements LogSources {
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
function reading(events: AsyncIterableIterator<LogFollowEvent>): { seen: LogFollowEvent[]; done: Promise<void> } {
  const seen: LogFollowEvent[] = [];
  const done = (async () => {
    for await (const event of events) seen.push(event);
  })();
  return { seen, done };
}

async function collect(events: AsyncIterableIterator<LogFollowEvent>): Promise<LogFollowEvent[]> {
  const seen: LogFollowEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

const seqs = (events: LogFollowEvent[]) =>
  events.flatMap((event) => (event.kind === 'line' ? [`${event.line.attempt}.${event.line.seq}`] : []));
const range = (attempt: number, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${attempt}.${from + i}`);
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('following a job run log', () => {
  it('sends the stored lines, then the live ones, each once in order, then the end', async () => {
    const sources = new Sources();
    sources.store = [1, 2, 3, 4, 5].map((seq) => line(1, seq));
    const done = collect(followJobRunLogs(sources, { jobRunId: JOB_RUN }));
    await tick();
    // The live stream still holds lines the store has too: they are sent once.
    sources.print(...[4, 5, 6, 7].map((seq) => line(1, seq)));
    sources.finishAttempt(1, 8);
    sources.finish('SUCCESS');
    await tick();
    sources.print(line(1, 8));
    const events = await done;
    expect(seqs(events)).toEqual(range(1, 1, 8));
    expect(events.at(-1)).toEqual({ kind: 'end', end: { jobRunId: JOB_RUN, status: 'SUCCESS', attempt: 1 } });
  });

  it("sends the stream's lines without waiting for the store's answer, then the store's in order", async () => {
    const sources = new Sources();
    let answer: () => void = () => undefined;
    sources.storeGate = new Promise((resolve) => (answer = resolve));
    sources.published = [1, 2].map((seq) => line(1, seq));
    const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }));
    await tick();
    expect(seqs(events)).toEqual(range(1, 1, 2));
    // The store, slow to answer, has them too, and one the stream no longer holds is not there.
    sources.store = [1, 2].map((seq) => line(1, seq));
    answer();
    sources.print(line(1, 3));
    sources.finishAttempt(1, 3);
    sources.finish('SUCCESS');
    await done;
    expect(seqs(events)).toEqual(range(1, 1, 3));
  });

  it('opens the live stream while the job run is looked up, and sends its lines once the lookup answers', async () => {
    const sources = new Sources();
    let answer: () => void = () => undefined;
    sources.lookupGate = new Promise((resolve) => (answer = resolve));
    const follow = followJobRunLogs(sources, { jobRunId: JOB_RUN });
    await tick();
    // Opened before anyone read the follow and before the lookup answered.
    expect(sources.tails).toHaveLength(1);
    sources.print(line(1, 1), line(1, 2));
    const { seen: events, done } = reading(follow);
    await tick();
    expect(events).toEqual([]);
    answer();
    await tick();
    expect(seqs(events)).toEqual(range(1, 1, 2));
    sources.finishAttempt(1, 2);
    sources.finish('SUCCESS');
    await done;
    expect(seqs(events)).toEqual(range(1, 1, 2));
  });

  it("sends the next line seen passing before the stream's reader is made, once, and leaves the others to the reader", async () => {
    const sources = new Sources();
    let made: () => void = () => undefined;
    sources.tailGate = new Promise((resolve) => (made = resolve));
    const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }));
    await tick();
    expect(sources.tails).toHaveLength(0);
    sources.print(line(1, 1));
    await tick();
    expect(seqs(events)).toEqual(['1.1']);
    // Seen passing, not next (2 was missed): the reader brings 2 and 3, in order.
    sources.published.push(line(1, 2), line(1, 3));
    for (const passer of sources.passers) if (passer.open) passer.push([line(1, 3)]);
    await tick();
    expect(seqs(events)).toEqual(['1.1']);
    made();
    await tick();
    expect(seqs(events)).toEqual(range(1, 1, 3));
    // Once the reader delivered, the plain subscription is closed.
    expect(sources.passers.map((passer) => passer.open)).toEqual([false]);
    sources.print(line(1, 4));
    sources.finishAttempt(1, 4);
    sources.finish('SUCCESS');
    await done;
    expect(seqs(events)).toEqual(range(1, 1, 4));
  });

  it("sends the stream's first chunk before its reader is made, and the rest once the reader delivers", async () => {
    const sources = new Sources();
    let made: () => void = () => undefined;
    sources.tailGate = new Promise((resolve) => (made = resolve));
    sources.published = [1, 2, 3].map((seq) => line(1, seq));
    const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }));
    await tick();
    expect(seqs(events)).toEqual(range(1, 1, 2));
    made();
    await tick();
    expect(seqs(events)).toEqual(range(1, 1, 3));
    sources.finishAttempt(1, 3);
    sources.finish('SUCCESS');
    await done;
    expect(seqs(events)).toEqual(range(1, 1, 3));
  });

  describe('asks the store for the first lines only when the stream may not hold them', () => {
    const end = async (sources: Sources, lastSeq: number) => {
      sources.finishAttempt(1, lastSeq);
      sources.finish('SUCCESS');
    };

    it("not when the job run's first chunk on the stream starts at the first line", async () => {
      const sources = new Sources();
      sources.published = [1, 2].map((seq) => line(1, seq));
      const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }, { storeWaitMs: 0 }));
      await tick();
      await end(sources, 2);
      await done;
      expect(seqs(events)).toEqual(range(1, 1, 2));
      expect(sources.storeReads).toEqual([]);
    });

    it('not when, with none on the stream yet, the first line comes within storeWaitMs', async () => {
      const sources = new Sources();
      const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }, { storeWaitMs: 60 }));
      await tick();
      sources.print(line(1, 1));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await end(sources, 1);
      await done;
      expect(seqs(events)).toEqual(['1.1']);
      expect(sources.storeReads).toEqual([]);
    });

    it('after storeWaitMs when none is on the stream: they may be stored and gone from it', async () => {
      const sources = new Sources();
      sources.store = [1, 2].map((seq) => line(1, seq));
      const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }, { storeWaitMs: 30 }));
      await tick();
      expect(sources.storeReads).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(seqs(events)).toEqual(range(1, 1, 2));
      expect(sources.storeReads).toEqual([0]);
      await end(sources, 2);
      await done;
    });

    it("at once when the stream's first chunk of the job run starts after the line wanted", async () => {
      const sources = new Sources();
      sources.store = [1, 2].map((seq) => line(1, seq));
      sources.published = [line(1, 3)];
      const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }, { storeWaitMs: 60_000 }));
      await tick();
      expect(seqs(events)).toEqual(range(1, 1, 3));
      await end(sources, 3);
      await done;
    });
  });

  it('ends with NOT_FOUND for a job run that does not exist, and stops the stream it opened', async () => {
    const sources = new Sources();
    const follow = followJobRunLogs(sources, { jobRunId: 'nope' });
    await expect(collect(follow)).rejects.toThrow('job run nope not found');
    expect(sources.tails.map((tail) => tail.open)).toEqual([false]);
    expect(sources.passers.map((passer) => passer.open)).toEqual([false]);
  });

  it('ends with the error of a store that fails, after the lines the stream gave', async () => {
    const sources = new Sources();
    sources.published = [line(1, 1)];
    const { seen: events, done } = reading(followJobRunLogs(sources, { jobRunId: JOB_RUN }));
    await tick();
    // Line 2 is not on the stream: the store is asked for it, and fails.
    sources.storeGate = Promise.reject(new Error('the logs service does not answer'));
    sources.print(line(1, 3));
    await expect(done).rejects.toThrow('the logs service does not answer');
    expect(seqs(events)).toEqual(range(1, 1, 1));
  });

  it('starts from fromSeq, and fills a gap from the store once it has the lines', async () => {
    const sources = new Sources();
    const done = collect(followJobRunLogs(sources, { jobRunId: JOB_RUN, fromSeq: 2 }, { gapWaitMs: 5_000 }));
    await tick();
    // The stream no longer holds 1..3 and the store lags behind: 4 comes first.
    sources.print(line(1, 4), line(1, 5));
    await tick();
    sources.store = [1, 2, 3].map((seq) => line(1, seq));
    sources.finishAttempt(1, 5);
    sources.finish('FAILED');
    const events = await done;
    expect(seqs(events)).toEqual(range(1, 2, 5));
  });

  it('reads the live stream again from its start when the store does not get the missing lines', async () => {
    const sources = new Sources();
    sources.store = [line(1, 1)];
    const done = collect(followJobRunLogs(sources, { jobRunId: JOB_RUN }, { gapWaitMs: 50 }));
    await tick();
    sources.published = [1, 2, 3].map((seq) => line(1, seq));
    sources.print(line(1, 4));
    sources.finishAttempt(1, 4);
    sources.finish('SUCCESS');
    const events = await done;
    // Opened once, and once more from its start for the missing lines.
    expect(sources.tails).toHaveLength(2);
    expect(seqs(events)).toEqual(range(1, 1, 4));
  });

  it('ends with an error naming where to resume when lines cannot be had at all', async () => {
    const sources = new Sources();
    const done = collect(followJobRunLogs(sources, { jobRunId: JOB_RUN }, { gapWaitMs: 20 }));
    await tick();
    sources.print(line(1, 3));
    await expect(done).rejects.toThrow(/lines from 1 of attempt 1 .* follow again from seq 1/);
  });

  it('follows a retry into its next attempt and ends after the last attempt', async () => {
    const sources = new Sources();
    const done = collect(followJobRunLogs(sources, { jobRunId: JOB_RUN }));
    await tick();
    sources.print(line(1, 1), line(1, 2));
    sources.finishAttempt(1, 2);
    sources.print(line(2, 1), line(2, 2), line(2, 3));
    sources.finishAttempt(2, 3);
    sources.finish('SUCCESS', 2);
    const events = await done;
    expect(seqs(events)).toEqual([...range(1, 1, 2), ...range(2, 1, 3)]);
  });

  it('keeps only the levels asked for, and still ends', async () => {
    const sources = new Sources();
    sources.store = [line(1, 1, 'ERROR'), line(1, 2, 'NONE'), line(1, 3, 'WARN'), line(1, 4, 'DEBUG')];
    const done = collect(followJobRunLogs(sources, { jobRunId: JOB_RUN, levels: ['ERROR', 'WARN'] }));
    await tick();
    sources.finishAttempt(1, 4);
    sources.finish('SUCCESS');
    const events = await done;
    expect(seqs(events)).toEqual(['1.1', '1.3']);
    expect(events.at(-1)?.kind).toBe('end');
  });

  it('ends a job run cancelled before it ran at once, and one cancelled while it ran after a short wait', async () => {
    const queued = new Sources();
    const before = collect(followJobRunLogs(queued, { jobRunId: JOB_RUN }, { endWaitMs: 60_000 }));
    await tick();
    queued.finish('CANCELLED', 1, false);
    expect(await before).toEqual([{ kind: 'end', end: { jobRunId: JOB_RUN, status: 'CANCELLED', attempt: 1 } }]);

    const running = new Sources();
    const during = collect(followJobRunLogs(running, { jobRunId: JOB_RUN }, { endWaitMs: 30 }));
    await tick();
    running.print(line(1, 1));
    running.finish('CANCELLED');
    expect(seqs(await during)).toEqual(['1.1']);
  });

  it('fails at once for a job run that does not exist', async () => {
    await expect(collect(followJobRunLogs(new Sources(), { jobRunId: 'JR404' }))).rejects.toThrow(
      'job run JR404 not found',
    );
  });
});
