/** How long a cancel is remembered for attempts that arrive after it. */
export const RECENT_CANCEL_TTL_MS = 10 * 60 * 1000;
/** Most cancels remembered; the oldest are forgotten first. */
export const RECENT_CANCEL_MAX = 10_000;

interface Remembered {
  reason: string;
  atMs: number;
}

/**
 * Cancels received lately, so an attempt taken from the queue after its cancel
 * is finished at once without running. Attempt 0 stands for every attempt.
 */
export class RecentCancels {
  private readonly entries = new Map<string, Remembered>();

  constructor(
    private readonly ttlMs = RECENT_CANCEL_TTL_MS,
    private readonly maxEntries = RECENT_CANCEL_MAX,
    private readonly now: () => number = Date.now,
  ) {}

  remember(jobRunId: string, attempt: number, reason: string): void {
    const key = keyOf(jobRunId, attempt);
    this.entries.delete(key); // re-inserted last: the map stays in time order
    this.entries.set(key, { reason, atMs: this.now() });
    this.prune();
  }

  /** The reason of a remembered cancel of this attempt (or of every attempt), if any. */
  match(jobRunId: string, attempt: number): string | undefined {
    this.prune();
    return (this.entries.get(keyOf(jobRunId, attempt)) ?? this.entries.get(keyOf(jobRunId, 0)))?.reason;
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(): void {
    const oldest = this.now() - this.ttlMs;
    for (const [key, entry] of this.entries) {
      if (entry.atMs > oldest && this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}

function keyOf(jobRunId: string, attempt: number): string {
  return `${jobRunId}#${attempt}`;
}
