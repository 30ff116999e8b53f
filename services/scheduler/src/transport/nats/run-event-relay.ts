import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from '@fluxi/common';
import { Subjects } from '@fluxi/contracts';
import type { JetStreamClient } from '@fluxi/messaging';
import { errorSummary } from '../../domain/error-summary.js';
import { startLoop } from '../../engine/loop.js';
import type { OutboxEvent, OutboxStore } from '../../store/outbox.js';

/** Publishes one encoded RunEvent; resolves once JetStream stored it (or found it a duplicate). */
export type PublishRunEvent = (subject: string, data: Uint8Array, msgId: string) => Promise<void>;

export interface RunEventRelayOptions {
  /** Seconds a claim on a run's events holds; another scheduler may take the run after it. */
  readonly leaseSec?: number;
  /** Milliseconds the hot path's progress waits before it is written (coalesced). */
  readonly markDelayMs?: number;
  /** Runs claimed per pass. */
  readonly maxRuns?: number;
  /** Events of one run published per pass. */
  readonly maxEventsPerRun?: number;
  /**
   * Milliseconds an unsent event waits before a pass takes it (0: at once). The hot path publishes
   * a commit's events within milliseconds and records them within `markDelayMs`; a pass that took
   * them meanwhile would publish them a second time (under load: every event once more).
   */
  readonly graceMs?: number;
}

/** Runs whose last stored seq the relay remembers for its hot path. */
const MAX_FOLLOWED_RUNS = 10_000;

/** Events by run, in order; `runs` first (with none) when given. */
function groupByRun(events: readonly OutboxEvent[], runs: readonly string[] = []): Map<string, OutboxEvent[]> {
  const byRun = new Map<string, OutboxEvent[]>(runs.map((runId) => [runId, []]));
  for (const event of events) {
    const list = byRun.get(event.pipelineRunId);
    if (list === undefined) byRun.set(event.pipelineRunId, [event]);
    else list.push(event);
  }
  return byRun;
}

/** JetStream publishing with the event id as message id (a republish within the duplicate window is dropped). */
export function jetStreamPublisher(js: JetStreamClient, timeoutMs = 5000): PublishRunEvent {
  return async (subject, data, msgId) => {
    await js.publish(subject, data, { msgID: msgId, timeout: timeoutMs });
  };
}

/**
 * The outbox relay: publishes stored run events to `fluxi.events.run.<pipelineRunId>`,
 * each run's in `seq` order (those it has at hand in one write, their acknowledgements
 * awaited together: see tryPublish), then records how far each run got.
 *
 * Two paths, one rule: an event is published only once the one before it (seq - 1) is
 * known stored on the stream, or goes out ahead of it in the same write, so a run's events
 * reach the stream in order whoever publishes them (a repeat is dropped by JetStream: same
 * message id).
 * - Right after a commit (`committed`), its events are published from memory when this
 *   relay itself published the run's previous event; their progress is written in one
 *   statement per `markDelayMs` (coalesced). No claim, no read: the hot path costs one
 *   UPDATE now and then.
 * - Otherwise (a run this relay has not followed since it started, a failed publish) and
 *   every `intervalMs` (what a crash, a NATS outage or another scheduler left), a pass
 *   claims runs with unsent events (a lease per run in `run_event_streams`, taken with
 *   FOR UPDATE SKIP LOCKED, so two schedulers never run a pass on one run at once), reads
 *   them and publishes them from the first unsent one. A publish that fails stops that run
 *   (nothing after it is sent); the next pass starts again from it.
 */
export class RunEventRelay {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly leaseSec: number;
  private readonly maxRuns: number;
  private readonly maxEventsPerRun: number;
  private passing: Promise<number> | undefined;
  private passAgain = false;
  private stopped = false;
  /** Run → the last seq this relay knows stored on the stream (bounded; the oldest runs are forgotten). */
  private readonly stored = new Map<string, number>();
  /** Committed events waiting for the hot path, in commit order. */
  private readonly queue: OutboxEvent[] = [];
  /** Run → the highest seq handed to the hot path that it has not settled (published, or given up on). */
  private readonly hot = new Map<string, number>();
  private draining: Promise<void> | undefined;
  /** Progress of the hot path not yet written: run → last seq published. */
  private readonly unmarked = new Map<string, number>();
  private markTimer: NodeJS.Timeout | undefined;
  private marking: Promise<void> = Promise.resolve();
  private readonly markDelayMs: number;
  private readonly graceMs: number;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly publish: PublishRunEvent,
    private readonly logger: Logger,
    options: RunEventRelayOptions = {},
  ) {
    this.leaseSec = options.leaseSec ?? 30;
    this.maxRuns = options.maxRuns ?? 50;
    this.maxEventsPerRun = options.maxEventsPerRun ?? 200;
    this.markDelayMs = options.markDelayMs ?? 50;
    this.graceMs = options.graceMs ?? 0;
  }

  /** Asks for a pass now; never throws, never waits. */
  wake(): void {
    void this.pass();
  }

  /** Events a transaction just committed (in seq order per run): published now; never throws, never waits. */
  committed(events: readonly OutboxEvent[]): void {
    if (this.stopped) return;
    for (const event of events) {
      this.hot.set(event.pipelineRunId, Math.max(event.seq, this.hot.get(event.pipelineRunId) ?? 0));
    }
    this.queue.push(...events);
    if (this.draining === undefined) {
      // From the next turn of the event loop: what the committing code does next (hand the
      // next jobs to the executors) goes out first; the events follow within a millisecond.
      this.draining = new Promise((resolve) => setImmediate(resolve))
        .then(() => this.drain())
        .finally(() => {
          this.draining = undefined;
        });
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      const byRun = groupByRun(this.queue.splice(0));
      let behind = false;
      await Promise.all(
        [...byRun].map(async ([runId, events]) => {
          const last = this.stored.get(runId) ?? 0;
          const fresh = events.filter((event) => event.seq > last);
          // Only what follows the last one this relay knows stored: a pass reads the run from its first unsent event.
          const next = fresh.filter((event, index) => event.seq === last + 1 + index);
          if ((await this.tryPublish(next, true)) < next.length || next.length < fresh.length) {
            this.hot.delete(runId);
            behind = true;
            return;
          }
          // Settled, unless more of the run's events were committed meanwhile (the next loop takes them).
          if ((this.stored.get(runId) ?? 0) >= (this.hot.get(runId) ?? 0)) this.hot.delete(runId);
        }),
      );
      this.scheduleMark();
      if (behind) void this.pass();
    }
  }

  /**
   * Publishes a run's next events (in seq order) in one go and waits for every acknowledgement;
   * returns how many of them, from the first, are stored (a failure is logged). Remembers what is
   * stored, and (hot path) what is left to record in the outbox.
   *
   * They leave in one write on the connection, and JetStream stores one connection's messages
   * in the order they came: when the connection fails, what got stored is a first part of them,
   * and the run goes on from the first one not acknowledged. Only a message refused on its own
   * (one over the server's payload limit: `FLUXI_EVENTS` has no size or age limit to refuse by)
   * could leave later ones stored before it; that is logged.
   */
  private async tryPublish(events: readonly OutboxEvent[], hot: boolean): Promise<number> {
    if (events.length === 0) return 0;
    const acks = await Promise.allSettled(events.map((event) => this.publishOne(event)));
    const failed = acks.findIndex((ack) => ack.status === 'rejected');
    const stored = failed === -1 ? events : events.slice(0, failed);
    const lastStored = stored.at(-1);
    if (lastStored !== undefined) {
      this.remember(lastStored.pipelineRunId, lastStored.seq);
      if (hot) {
        const runId = lastStored.pipelineRunId;
        this.unmarked.set(runId, Math.max(lastStored.seq, this.unmarked.get(runId) ?? 0));
      }
    }
    if (failed === -1) return events.length;
    const event = events[failed] as OutboxEvent;
    const laterStored = acks.slice(failed + 1).some((ack) => ack.status === 'fulfilled');
    this.logger.warn(
      {
        err: errorSummary((acks[failed] as PromiseRejectedResult).reason),
        pipelineRunId: event.pipelineRunId,
        seq: event.seq,
        ...(laterStored ? { laterStored: true } : {}),
      },
      laterStored
        ? 'could not publish a run event while later ones were stored: it is published again later, after them'
        : 'could not publish a run event; it stays in the outbox and is published again later',
    );
    return failed;
  }

  private remember(runId: string, seq: number): void {
    if ((this.stored.get(runId) ?? 0) >= seq) return;
    this.stored.delete(runId);
    this.stored.set(runId, seq);
    if (this.stored.size > MAX_FOLLOWED_RUNS) {
      const oldest = this.stored.keys().next().value;
      if (oldest !== undefined) this.stored.delete(oldest);
    }
  }

  /** Writes the hot path's progress within markDelayMs, one statement for everything published meanwhile. */
  private scheduleMark(): void {
    if (this.markTimer !== undefined || this.unmarked.size === 0) return;
    this.markTimer = setTimeout(() => {
      this.markTimer = undefined;
      this.marking = this.marking.then(() => this.markNow());
    }, this.markDelayMs);
  }

  private async markNow(): Promise<void> {
    if (this.unmarked.size === 0) return;
    const sent = new Map(this.unmarked);
    this.unmarked.clear();
    try {
      await this.outbox.markSent(sent);
    } catch (error) {
      // Published all the same: a later pass publishes them again, and JetStream drops the repeats.
      this.logger.warn({ err: errorSummary(error) }, 'could not record published run events');
    }
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
          // Again while it gets somewhere: runs left to the hot path wait for the next interval.
          if (outcome.more && !outcome.failed && outcome.published > 0) this.passAgain = true;
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
        await this.draining;
        clearTimeout(this.markTimer);
        this.markTimer = undefined;
        await this.marking;
        await this.markNow();
      },
    };
  }

  private async passOnce(): Promise<{ published: number; more: boolean; failed: boolean }> {
    // Runs the hot path holds are not claimed: their events would be read only to be left to it.
    const claim = await this.outbox.claim(this.owner, this.leaseSec, this.maxRuns, this.maxEventsPerRun, this.graceMs, [
      ...this.hot.keys(),
    ]);
    if (claim.runs.length === 0) return { published: 0, more: false, failed: false };
    const byRun = groupByRun(claim.events, claim.runs);
    const sent = new Map<string, number>();
    let failed = false;
    let published = 0;
    await Promise.all(
      [...byRun].map(async ([runId, events]) => {
        const known = this.stored.get(runId) ?? 0;
        // Published by this relay's hot path, not yet recorded: recorded now, not published twice.
        const last = events.filter((event) => event.seq <= known).at(-1)?.seq ?? 0;
        const unsent: OutboxEvent[] = [];
        for (const event of events) {
          if (event.seq <= known) continue;
          // Still in this relay's hot path: left to it (publishing it here too would send it twice).
          if (event.seq <= (this.hot.get(runId) ?? 0)) break;
          unsent.push(event);
        }
        const stored = await this.tryPublish(unsent, false);
        published += stored;
        if (stored < unsent.length) failed = true;
        sent.set(runId, unsent[stored - 1]?.seq ?? last);
      }),
    );
    const more = await this.outbox.release(this.owner, sent);
    return { published, more: more.length > 0 || claim.runs.length === this.maxRuns, failed };
  }

  private async publishOne(event: OutboxEvent): Promise<void> {
    await this.publish(Subjects.runEvent(event.pipelineRunId), event.data, event.id);
  }
}
