import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from '@fluxi/common';
import { fromJson, RunEventSchema, Subjects, toBinary } from '@fluxi/contracts';
import type { JetStreamClient } from '@fluxi/messaging';
import { errorSummary } from '../../domain/error-summary.js';
import { startLoop } from '../../engine/loop.js';
import type { OutboxEvent, OutboxStore } from '../../store/outbox.js';
import type { StoredJson } from '../../store/records.js';

/** Publishes one encoded RunEvent; resolves once JetStream stored it (or found it a duplicate). */
export type PublishRunEvent = (subject: string, data: Uint8Array, msgId: string) => Promise<void>;

export interface RunEventRelayOptions {
  /** Seconds a claim on a run's events holds; another scheduler may take the run after it. */
  readonly leaseSec?: number;
  /** Runs claimed per pass. */
  readonly maxRuns?: number;
  /** Events of one run published per pass. */
  readonly maxEventsPerRun?: number;
}

/** JetStream publishing with the event id as message id (a republish within the duplicate window is dropped). */
export function jetStreamPublisher(js: JetStreamClient, timeoutMs = 5000): PublishRunEvent {
  return async (subject, data, msgId) => {
    await js.publish(subject, data, { msgID: msgId, timeout: timeoutMs });
  };
}

/**
 * The outbox relay: publishes stored run events to `fluxi.events.run.<pipelineRunId>`,
 * each run's in `seq` order (one after the other, each acknowledged by JetStream before
 * the next), then records how far each run got. Woken after each commit that stored
 * events, and every `intervalMs` for what a crash, a NATS outage or another scheduler left.
 *
 * Ordering across schedulers: a relay claims the runs it publishes (a lease per run in
 * `run_event_streams`, taken with FOR UPDATE SKIP LOCKED), so one run's events are
 * published by one relay at a time. A publish that fails stops that run's pass (nothing
 * after it is sent), and the run is tried again later from the first unsent event.
 */
export class RunEventRelay {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly leaseSec: number;
  private readonly maxRuns: number;
  private readonly maxEventsPerRun: number;
  private passing: Promise<number> | undefined;
  private passAgain = false;
  private stopped = false;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly publish: PublishRunEvent,
    private readonly logger: Logger,
    options: RunEventRelayOptions = {},
  ) {
    this.leaseSec = options.leaseSec ?? 30;
    this.maxRuns = options.maxRuns ?? 50;
    this.maxEventsPerRun = options.maxEventsPerRun ?? 200;
  }

  /** Asks for a pass now (after a commit); never throws, never waits. */
  wake(): void {
    void this.pass();
  }

  /**
   * Publishes what is unsent, pass after pass while there is more; one at a time (a pass
   * asked for during one runs after it). Returns how many events were published. Never throws.
   */
  pass(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    if (this.passing !== undefined) {
      this.passAgain = true;
      return this.passing;
    }
    this.passing = (async () => {
      let published = 0;
      do {
        this.passAgain = false;
        try {
          const outcome = await this.passOnce();
          published += outcome.published;
          if (outcome.more && !outcome.failed) this.passAgain = true;
        } catch (error) {
          this.logger.warn({ err: errorSummary(error) }, 'run event relay pass failed; the next one tries again');
          break;
        }
      } while (this.passAgain && !this.stopped);
      return published;
    })().finally(() => {
      this.passing = undefined;
    });
    return this.passing;
  }

  /** Passes every `intervalMs` until stopped (what a crash, an outage or another scheduler left). */
  start(intervalMs: number): { stop(): Promise<void> } {
    const loop = startLoop(
      intervalMs,
      () => this.pass(),
      () => undefined,
      { immediately: true },
    );
    return {
      stop: async () => {
        this.stopped = true;
        await loop.stop();
        await this.passing;
      },
    };
  }

  private async passOnce(): Promise<{ published: number; more: boolean; failed: boolean }> {
    const claim = await this.outbox.claim(this.owner, this.leaseSec, this.maxRuns, this.maxEventsPerRun);
    if (claim.runs.length === 0) return { published: 0, more: false, failed: false };
    const byRun = new Map<string, OutboxEvent[]>(claim.runs.map((runId) => [runId, []]));
    for (const event of claim.events) byRun.get(event.pipelineRunId)?.push(event);
    const sent = new Map<string, number>();
    let failed = false;
    await Promise.all(
      [...byRun].map(async ([runId, events]) => {
        let last = 0;
        for (const event of events) {
          try {
            await this.publishOne(event);
          } catch (error) {
            failed = true;
            this.logger.warn(
              { err: errorSummary(error), pipelineRunId: runId, seq: event.seq },
              'could not publish a run event; it stays in the outbox and is published again later',
            );
            break;
          }
          last = event.seq;
        }
        sent.set(runId, last);
      }),
    );
    const more = await this.outbox.release(this.owner, sent);
    const published = claim.events.filter((event) => event.seq <= (sent.get(event.pipelineRunId) ?? 0)).length;
    return { published, more: more.length > 0 || claim.runs.length === this.maxRuns, failed };
  }

  private async publishOne(event: OutboxEvent): Promise<void> {
    const message = fromJson(RunEventSchema, event.body as Exclude<StoredJson, null>);
    message.seq = BigInt(event.seq);
    await this.publish(Subjects.runEvent(event.pipelineRunId), toBinary(RunEventSchema, message), message.id);
  }
}
