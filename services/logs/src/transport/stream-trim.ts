import type { Logger } from '@fluxi/common';
import type { Nats } from '@fluxi/messaging';

export interface StreamTrimOptions {
  stream: string;
  /** The durable consumer whose acknowledged messages may go. */
  durable: string;
  /** Least time between two trims. */
  everyMs: number;
  logger: Logger;
}

/**
 * Removes from a stream the messages a durable consumer has acknowledged: everything below
 * its ack floor (the first message not yet acknowledged, or terminated). The log stream keeps
 * no limits, so without this it would hold every chunk ever published: the store grew by
 * 529 MB for one job of 25 million lines. Only acknowledged messages go, and the logs
 * service acknowledges a chunk once its lines are in the store: a line not yet stored is
 * never removed, whoever is away. Readers of live lines (the gateway's follow) read older
 * lines from the store, as they do for lines stored before they started.
 */
export class StreamTrim {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** The stream sequence everything below which was removed (1: nothing yet). */
  private trimmedBelow = 1;

  constructor(
    private readonly nats: Nats,
    private readonly options: StreamTrimOptions,
  ) {}

  /** Says messages were handled: a trim follows within `everyMs` (one at a time, errors logged). */
  handled(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running ??= this.trim()
        .then(
          () => undefined,
          (error: unknown) => this.options.logger.warn({ err: error }, 'could not trim the log stream'),
        )
        .finally(() => (this.running = undefined));
    }, this.options.everyMs);
  }

  /** Removes the acknowledged messages now; resolves with how many went. */
  async trim(): Promise<number> {
    const { stream, durable } = this.options;
    const info = await this.nats.jsm.consumers.info(stream, durable);
    const below = info.ack_floor.stream_seq + 1;
    if (below <= this.trimmedBelow) return 0;
    const { purged } = await this.nats.jsm.streams.purge(stream, { seq: below });
    this.trimmedBelow = below;
    return purged;
  }

  /** Cancels a coming trim and waits for one under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
