import { Inject, Injectable } from '@nestjs/common';
import { JobRunEventSchema, Subjects, type JobRunEvent } from '@fluxi/contracts';
import { encode, isStreamFull } from '@fluxi/messaging';
import type { Logger } from '@fluxi/common';
import { EXECUTOR_DEPS, type ExecutorDeps } from '../deps.js';
import { encodeLogChunk, type WireChunk } from '../domain/log-chunk-wire.js';

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;
/** Pause before publishing again to a full stream (room comes back as the logs service stores). */
const STREAM_FULL_PAUSE_MS = 100;
/** At most one warning per this long that the log stream is full. */
const STREAM_FULL_WARN_EVERY_MS = 30_000;

/**
 * Publishes events and log chunks to JetStream and waits for the stream's ack.
 * A failed publish is retried with backoff (same msgID, so the stream drops a
 * duplicate) until it is acked or `giveUp` is aborted. A stream at its byte limit is
 * back-pressure, not a failure: the publish is tried again every 100 ms, without a warning
 * per chunk, while the attempt's lines wait (memory, spool, then the job paused).
 */
@Injectable()
export class JetStreamPublisher {
  private readonly logger: Logger;
  private lastFullWarningAt = Number.NEGATIVE_INFINITY;

  constructor(@Inject(EXECUTOR_DEPS) private readonly deps: ExecutorDeps) {
    this.logger = deps.logger.child({ component: 'publisher' });
  }

  publishEvent(event: JobRunEvent, msgID: string, giveUp: AbortSignal): Promise<void> {
    return this.publish(Subjects.jobRunEvent(event.jobRunId), encode(JobRunEventSchema, event), msgID, giveUp);
  }

  publishChunk(chunk: WireChunk, msgID: string, giveUp: AbortSignal): Promise<void> {
    const subject = Subjects.logChunk(chunk.pipelineRunId, chunk.jobRunId);
    // The generic encoder's bytes, written without its per-line copies (see encodeLogChunk).
    return this.publish(subject, encodeLogChunk(chunk), msgID, giveUp);
  }

  private async publish(subject: string, data: Uint8Array, msgID: string, giveUp: AbortSignal): Promise<void> {
    let backoff = FIRST_BACKOFF_MS;
    let failures = 0;
    for (;;) {
      if (giveUp.aborted) throw new Error(`gave up publishing ${msgID}: the executor is stopping`);
      try {
        await this.deps.nats.js.publish(subject, data, { msgID, timeout: this.deps.publishTimeoutMs });
        if (failures > 0) this.logger.info({ msgID, attempt: failures + 1 }, 'publish succeeded after retries');
        return;
      } catch (error) {
        if (isStreamFull(error)) {
          this.warnFull(subject);
          await sleep(STREAM_FULL_PAUSE_MS, giveUp);
          continue;
        }
        failures += 1;
        if (failures === 1 || failures % 10 === 0) {
          this.logger.warn({ err: error, msgID, attempt: failures }, 'publish to JetStream failed, retrying');
        }
      }
      await sleep(backoff, giveUp);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  private warnFull(subject: string): void {
    const now = Date.now();
    if (now - this.lastFullWarningAt < STREAM_FULL_WARN_EVERY_MS) return;
    this.lastFullWarningAt = now;
    this.logger.warn(
      { subject },
      'the stream is full (the logs service stores slower than jobs print, or is away): output waits for room',
    );
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
