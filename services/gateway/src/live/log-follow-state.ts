import { FluxiError } from '@fluxi/common';
import { isAfter, LineOrder, type LiveLine } from './line-order.js';
import type {
  JobRunEnd,
  LiveLogLine,
  LogFollowEvent,
  LogFollowOptions,
  LogFollowRequest,
  LogSources,
  Stop,
} from './live-types.js';

const GAP_RETRY_MS = 200;

/** The state of one follow; every change goes through `serially`, so lines never interleave. */
export class LogFollow {
  private order!: LineOrder;
  private ref!: { pipelineRunId: string; jobRunId: string };
  /** Lines that came early, waiting for the ones before them. */
  private early: LiveLogLine[] = [];
  private readonly lastSeqs = new Map<number, number>();
  private final: JobRunEnd | undefined;
  /** Whether the last attempt started at all (else no line of it is coming). */
  private finalRan = true;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private restartTail: (() => Promise<void>) | undefined;
  private stopHints: Stop | undefined;
  /** The job run's first chunk on the stream when the follow started (none: empty). */
  private head: Promise<LiveLogLine[]> = Promise.resolve([]);
  /** Told when a line is sent (the first stored page's wait). */
  private onSent: (() => void) | undefined;
  /** The position the live stream was last read again from its start for. */
  private rereadAt: string | undefined;
  private endTimer: NodeJS.Timeout | undefined;
  private readonly levels: Set<string> | undefined;
  private resolveEnded!: () => void;
  private rejectEnded!: (error: unknown) => void;
  readonly ended = new Promise<void>((resolve, reject) => {
    this.resolveEnded = resolve;
    this.rejectEnded = reject;
  });

  constructor(
    private readonly sources: LogSources,
    private readonly request: LogFollowRequest,
    private readonly settings: Required<LogFollowOptions>,
    private readonly emit: (event: LogFollowEvent) => void,
  ) {
    const levels = request.levels ?? [];
    this.levels = levels.length === 0 ? undefined : new Set(levels);
    void this.ended.catch(() => undefined);
  }

  /**
   * Opens the follow's sources. The live stream and the attempts' ends need only the job run's
   * id: they open while the job run is looked up (a round trip to the scheduler), and what they
   * deliver meanwhile waits in `serially` behind the lookup. The run's end and the first page of
   * stored lines follow the lookup (they need its pipeline run and attempt). Every source that
   * opened is in `stops` when this returns or throws.
   */
  async start(stops: Stop[]): Promise<void> {
    const { jobRunId } = this.request;
    // Lines published from now on, before the stream's reader is made (see hint).
    this.stopHints = this.sources.passing(jobRunId, (lines) => void this.serially(async () => this.hint(lines)));
    stops.push(() => this.endHints());
    // And the first lines the stream holds already, in one request (the tail brings them too).
    this.head = this.sources.first(jobRunId).catch((): LiveLogLine[] => []);
    void this.head.then((lines) => this.serially(async () => this.hint(lines)));
    const found = this.lookUp();
    // A job run not found ends the follow (start throws); nothing queued behind the lookup runs.
    this.chain = found.then(
      () => undefined,
      () => {
        this.closed = true;
      },
    );
    const early = Promise.allSettled([
      this.sources.attemptEnds(jobRunId, (ended, lastSeq) =>
        this.serially(async () => {
          this.lastSeqs.set(ended, lastSeq);
          await this.checkEnd();
        }),
      ),
      this.openTail(),
    ]);
    const [lookup] = await Promise.allSettled([found]);
    const late = lookup?.status === 'fulfilled' ? this.openAfterLookup() : Promise.resolve([]);
    const [[ends, tail], opened] = await Promise.all([early, late]);
    for (const source of [ends, ...opened]) if (source?.status === 'fulfilled') stops.push(source.value);
    if (tail?.status === 'fulfilled') {
      let stopTail = tail.value;
      this.restartTail = async () => {
        await stopTail();
        stopTail = await this.openTail();
      };
      stops.push(() => stopTail());
    }
    // A job run not found is the error to report; else the first source that could not open.
    if (lookup?.status === 'rejected') throw lookup.reason;
    const refused = [ends, tail, ...opened].find((source) => source?.status === 'rejected');
    if (refused?.status === 'rejected') throw refused.reason;
  }

  /** The run's end and the first page of stored lines: what needs the lookup's answer. */
  private openAfterLookup(): Promise<PromiseSettledResult<Stop>[]> {
    const expected = this.order.expected;
    const firstPage = this.firstStoredPage(expected);
    // Placed once it came, after the stream lines offered meanwhile; a failure ends the follow.
    void firstPage.then(
      (lines) => this.serially(() => this.placeStored(expected.attempt, lines)),
      (error: unknown) => this.serially(() => Promise.reject(error)),
    );
    return Promise.allSettled([
      this.sources.jobRunEnd(this.ref, (end, ran) =>
        this.serially(async () => {
          this.final ??= end;
          this.finalRan = ran;
          await this.checkEnd();
        }),
      ),
    ]);
  }

  /**
   * The first page of stored lines from `expected`, read only when the stream may not hold them:
   * when the job run's first chunk on the stream starts at or before `expected`, the reader brings
   * every line from there and the store is not asked. With none of its lines on the stream yet, a
   * line the stream brings within `storeWaitMs` tells the same; else the store is read (they may
   * be stored and gone from the stream). A gap the stream shows later is filled from the store.
   */
  private async firstStoredPage(expected: LiveLine): Promise<readonly LiveLogLine[]> {
    const [head] = await this.head;
    const onStream = (line: LiveLine) => !isAfter(line, expected);
    if (head !== undefined && onStream(head)) return [];
    if (head === undefined && this.settings.storeWaitMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.settings.storeWaitMs);
        this.onSent = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.onSent = undefined;
      if (this.closed || isAfter(this.order.expected, expected)) return [];
    }
    return this.sources.stored(this.request.jobRunId, expected.attempt, expected.seq - 1, this.settings.pageSize);
  }

  /** Looks the job run up: the attempt to start with and the pipeline run it belongs to. */
  private async lookUp(): Promise<void> {
    const { jobRunId } = this.request;
    const jobRun = await this.sources.jobRun(jobRunId);
    if (jobRun === undefined) throw new FluxiError('NOT_FOUND', `job run ${jobRunId} not found`);
    const attempt = this.request.attempt ?? jobRun.attempt;
    this.order = new LineOrder({ attempt, fromSeq: this.request.fromSeq ?? 1 });
    this.ref = { pipelineRunId: jobRun.pipelineRunId, jobRunId };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.endTimer);
  }

  private openTail(): Promise<Stop> {
    return this.sources.tail(this.request.jobRunId, (lines) => {
      // The stream's reader delivers; from here on it is as quick as the hints.
      void this.endHints();
      return this.serially(() => this.offer(lines));
    });
  }

  /**
   * Lines had before the stream's reader delivers them (seen passing, or the stream's first
   * chunk): those that are next go out at once (the reader's copies are then duplicates);
   * from the first line missing before one, the rest are left to the reader, which brings
   * every line in order. A job's first line does not wait for the reader to be made on the server.
   */
  private async hint(lines: readonly LiveLogLine[]): Promise<void> {
    for (const line of lines) {
      const { attempt, seq } = this.order.expected;
      if (line.attempt < attempt || (line.attempt === attempt && line.seq < seq)) continue;
      if (line.attempt !== attempt || line.seq !== seq) break;
      this.order.place(line);
      this.send(line);
    }
    this.drainEarly();
    await this.checkEnd();
  }

  private endHints(): Promise<void> {
    const stop = this.stopHints;
    this.stopHints = undefined;
    return stop?.() ?? Promise.resolve();
  }

  /** Runs `step` after every step before it; a failing step ends the follow. */
  private serially<T>(step: () => Promise<T>): Promise<T | undefined> {
    const result = this.chain.then(async () => (this.closed ? undefined : step()));
    this.chain = result.then(
      () => undefined,
      (error: unknown) => this.fail(error),
    );
    return result.catch(() => undefined);
  }

  private fail(error: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.rejectEnded(error);
  }

  private send(line: LiveLogLine): void {
    if (this.levels === undefined || this.levels.has(line.level)) {
      this.emit({ kind: 'line', line });
    }
    this.onSent?.();
  }

  /**
   * Sends stored lines of `attempt` from the expected seq through `throughSeq`, page by page;
   * `firstPage`, when given, is the first page, asked for already.
   */
  private async readStored(attempt: number, throughSeq: number, firstPage?: readonly LiveLogLine[]): Promise<void> {
    for (let page = firstPage; ; page = undefined) {
      const expected = this.order.expected;
      if (expected.attempt !== attempt || expected.seq > throughSeq) return;
      const lines =
        page ?? (await this.sources.stored(this.ref.jobRunId, attempt, expected.seq - 1, this.settings.pageSize));
      for (const line of lines) {
        if (line.seq > throughSeq) return;
        if (this.order.place(line).kind === 'next') this.send(line);
      }
      if (lines.length < this.settings.pageSize) return;
    }
  }

  /** The first page of stored lines, then the rest; then the early lines and the end they may free. */
  private async placeStored(attempt: number, firstPage: readonly LiveLogLine[]): Promise<void> {
    await this.readStored(attempt, Number.MAX_SAFE_INTEGER, firstPage);
    this.drainEarly();
    await this.checkEnd();
  }

  private async offer(lines: readonly LiveLogLine[]): Promise<void> {
    for (const line of lines) {
      const placement = this.order.place(line);
      if (placement.kind === 'next') this.send(line);
      else if (placement.kind === 'gap') {
        this.early.push(line);
        await this.fillGap(placement.attempt, placement.to);
      }
    }
    await this.checkEnd();
  }

  /** Reads the missing lines of `attempt` through `to` from the store, then sends the early ones that follow. */
  private async fillGap(attempt: number, to: number): Promise<void> {
    const deadline = Date.now() + this.settings.gapWaitMs;
    for (;;) {
      await this.readStored(attempt, to);
      this.drainEarly();
      if (this.early.length === 0) return;
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, GAP_RETRY_MS));
    }
    const { attempt: missingAttempt, seq } = this.order.expected;
    const position = `${missingAttempt}.${seq}`;
    if (this.rereadAt === position || this.restartTail === undefined) {
      throw new FluxiError(
        'UNAVAILABLE',
        `lines from ${seq} of attempt ${missingAttempt} of job run ${this.ref.jobRunId} cannot be read now; follow again from seq ${seq}`,
      );
    }
    // The store does not have them (yet): the stream may, from its start. Once per position.
    this.rereadAt = position;
    this.early = [];
    await this.restartTail();
  }

  /** Sends the early lines that are next now, in order; keeps the rest. */
  private drainEarly(): void {
    this.early.sort((a, b) => a.attempt - b.attempt || a.seq - b.seq);
    const kept: LiveLogLine[] = [];
    for (const line of this.early) {
      const placement = this.order.place(line);
      if (placement.kind === 'next') this.send(line);
      else if (placement.kind === 'gap') kept.push(line);
    }
    this.early = kept;
  }

  /** Ends the follow once the job run is final and its last attempt's lines were all sent. */
  private async checkEnd(): Promise<void> {
    const final = this.final;
    if (final === undefined || this.closed) return;
    const lastSeq = this.lastSeqs.get(final.attempt);
    if (lastSeq !== undefined) {
      if (!this.order.sentThrough(final.attempt, lastSeq)) {
        // The stream delivered them, or will; the store may have them already.
        if (this.order.expected.attempt === final.attempt) await this.readStored(final.attempt, lastSeq);
        if (!this.order.sentThrough(final.attempt, lastSeq)) return this.endLater(final);
      }
      return this.finish(final);
    }
    if (!this.finalRan) return this.finish(final);
    // No executor report of the last attempt yet (cancelled while it ran, executor lost): wait a little for one.
    this.endLater(final);
  }

  private endLater(final: JobRunEnd): void {
    this.endTimer ??= setTimeout(() => void this.serially(async () => this.finish(final)), this.settings.endWaitMs);
  }

  private finish(final: JobRunEnd): void {
    if (this.closed) return;
    this.emit({ kind: 'end', end: final });
    this.closed = true;
    clearTimeout(this.endTimer);
    this.resolveEnded();
  }
}
