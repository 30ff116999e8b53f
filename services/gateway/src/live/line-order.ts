/** A line as the live log follow sees it: from the store's backfill or the live stream alike. */
export interface LiveLine {
  attempt: number;
  seq: number;
}

/** Whether `a` comes after `b` in a job run's lines (attempt, then seq). */
export function isAfter(a: LiveLine, b: LiveLine): boolean {
  return a.attempt > b.attempt || (a.attempt === b.attempt && a.seq > b.seq);
}

/** What to do with a line offered to the order. */
export type Placement =
  /** The next line: send it. */
  | { kind: 'next' }
  /** Sent already (the backfill and the live stream overlap): drop it. */
  | { kind: 'duplicate' }
  /** Lines are missing before it: `from`..`to` of `attempt` must be read from the store first. */
  | { kind: 'gap'; attempt: number; from: number; to: number };

/**
 * Keeps one job run's lines in order, once each, across its attempts: within an attempt
 * seq runs 1, 2, 3…; a later attempt starts over at 1. Starts at `fromSeq` of
 * `attempt` (lines before it were not asked for). Pure: the follower feeds it lines and
 * acts on the answer.
 */
export class LineOrder {
  private attempt: number;
  /** The seq expected next in `attempt`. */
  private next: number;

  constructor(start: { attempt: number; fromSeq: number }) {
    this.attempt = start.attempt;
    this.next = Math.max(1, start.fromSeq);
  }

  /** The position the next line must have. */
  get expected(): LiveLine {
    return { attempt: this.attempt, seq: this.next };
  }

  /** Where `line` stands; a line answered `next` counts as sent. */
  place(line: LiveLine): Placement {
    if (line.attempt < this.attempt || (line.attempt === this.attempt && line.seq < this.next)) {
      return { kind: 'duplicate' };
    }
    if (line.attempt > this.attempt) {
      // A retry: its lines start over at 1. The stream carries an attempt's lines before
      // the next attempt's, so what the earlier one still lacked was a gap already.
      this.attempt = line.attempt;
      this.next = 1;
    }
    if (line.seq > this.next) return { kind: 'gap', attempt: line.attempt, from: this.next, to: line.seq - 1 };
    this.next += 1;
    return { kind: 'next' };
  }

  /** Whether every line of `attempt` up to `lastSeq` was sent. */
  sentThrough(attempt: number, lastSeq: number): boolean {
    return this.attempt > attempt || (this.attempt === attempt && this.next > lastSeq);
  }
}
