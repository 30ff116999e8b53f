import { Inject, Injectable } from '@nestjs/common';
import { JobRunEventSchema, Subjects, type JobRunEvent } from '@fluxi/contracts';
import { encode } from '@fluxi/messaging';
import type { Logger } from '@fluxi/common';
import { EXECUTOR_DEPS, type ExecutorDeps } from '../deps.js';
import { encodeLogChunk, type WireChunk } from '../domain/log-chunk-wire.js';

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

/**
 * Publishes events and log chunks to JetStream and waits for the stream's ack.
 * A failed publish is retried with backoff (same msgID, so the stream drops a
 * duplicate) until it is acked or `giveUp` is aborted.
 */
@Injectable()
export class JetStreamPublisher {
  private readonly logger: Logger;

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
    for (let attempt = 1; ; attempt += 1) {
      if (giveUp.aborted) throw new Error(`gave up publishing ${msgID}: the executor is stopping`);
      try {
        await this.deps.nats.js.publish(subject, data, { msgID, timeout: this.deps.publishTimeoutMs });
        if (attempt > 1) this.logger.info({ msgID, attempt }, 'publish succeeded after retries');
        return;
      } catch (error) {
        if (attempt === 1 || attempt % 10 === 0) {
          this.logger.warn({ err: error, msgID, attempt }, 'publish to JetStream failed, retrying');
        }
      }
      await sleep(backoff, giveUp);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
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
