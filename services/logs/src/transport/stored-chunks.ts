import type { Logger } from '@fluxi/common';
import type { Nats } from '@fluxi/messaging';

export interface StoredChunkRemovalOptions {
  stream: string;
  /** How long a stored chunk stays on the stream (a live follower a little behind still reads it there). */
  delayMs: number;
  logger: Logger;
}

/** Removals sent at once. */
const IN_FLIGHT = 8;

/**
 * Removes log chunks from the stream once their lines are stored, so the stream holds
 * what is not stored yet instead of every chunk ever published (+529 MB for one job of
 * 25 million lines). Only chunks whose insert returned are named here, one message at a
 * time: a chunk not stored is never removed, whoever is away, and the consumer's own
 * state is left alone (a purge below its ack floor, tried first, lost the chunks in flight
 * when the service was killed). A removal that fails leaves the chunk on the stream (it
 * is logged): the stream grows, nothing is lost. Live followers read older lines from the
 * store, as they do for lines stored before they started.
 */
export class StoredChunkRemoval {
  /** Stored chunks, oldest first: their stream sequences and when each may go. */
  private waiting: { seqs: readonly number[]; dueAt: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly nats: Nats,
    private readonly options: StoredChunkRemovalOptions,
  ) {}

  /** Says these stream sequences are stored: each goes `delayMs` after this call, not sooner. */
  stored(seqs: readonly number[]): void {
    if (this.stopped || seqs.length === 0) return;
    this.waiting.push({ seqs: [...seqs], dueAt: Date.now() + this.options.delayMs });
    this.timer ??= setTimeout(() => this.flush(), this.options.delayMs);
  }

  /** Removes nothing more; waits for the removals under way. What waits stays on the stream. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Removes what is due, after the removals under way (one pass at a time); waits again for the rest. */
  private flush(): void {
    this.timer = undefined;
    const now = Date.now();
    const due = this.waiting.findIndex((batch) => batch.dueAt > now);
    const taken = due < 0 ? this.waiting : this.waiting.slice(0, due);
    this.waiting = due < 0 ? [] : this.waiting.slice(due);
    const next = this.waiting[0];
    if (next !== undefined) this.timer = setTimeout(() => this.flush(), Math.max(1, next.dueAt - now));
    const seqs = taken.flatMap((batch) => batch.seqs);
    if (seqs.length === 0) return;
    const pass = (this.running ?? Promise.resolve()).then(() => this.remove(seqs));
    this.running = pass;
    void pass.finally(() => {
      if (this.running === pass) this.running = undefined;
    });
  }

  private async remove(seqs: readonly number[]): Promise<void> {
    const { stream, logger } = this.options;
    let failed = 0;
    let cause: unknown;
    for (let from = 0; from < seqs.length && !this.stopped; from += IN_FLIGHT) {
      await Promise.all(
        seqs.slice(from, from + IN_FLIGHT).map((seq) =>
          // No erase: the message is dropped, its bytes are not overwritten (the fast way).
          this.nats.jsm.streams.deleteMessage(stream, seq, false).catch((error: unknown) => {
            // Gone already (a removal sent twice after a redelivery): nothing to do.
            if (error instanceof Error && /no message found/i.test(error.message)) return;
            failed += 1;
            cause = error;
          }),
        ),
      );
    }
    if (failed > 0)
      logger.warn({ err: cause, failed, stream }, 'stored log chunks could not be removed from the stream');
  }
}
