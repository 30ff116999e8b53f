import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '@fluxi/common';
import { Buckets } from '@fluxi/contracts';
import { openLeaseKv, type LeaseKv, type Nats } from '@fluxi/messaging';
import { errorSummary } from '../../domain/error-summary.js';
import { claimed, INITIAL_LEASE, isLeader, nextStep, observe, type LeaseState } from '../../domain/lease.js';

/**
 * The schedule leader lease in NATS KV (`fluxi-leases`, key `schedules`), read and claimed every
 * third of its TTL (domain/lease.ts decides). `onGained` runs when this replica becomes leader.
 */
export class LeaderLease {
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private state: LeaseState = INITIAL_LEASE;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  private constructor(
    private readonly kv: LeaseKv,
    private readonly ttlMs: number,
    private readonly logger: Logger,
    private readonly onGained: () => void,
    private readonly now: () => number,
  ) {}

  static async start(
    nats: Nats,
    options: { ttlMs: number; logger: Logger; onGained: () => void; now?: () => number },
  ): Promise<LeaderLease> {
    const kv = await openLeaseKv(nats, Buckets.leases.scheduleKey);
    const lease = new LeaderLease(kv, options.ttlMs, options.logger, options.onGained, options.now ?? Date.now);
    await lease.round();
    lease.timer = setInterval(
      () => {
        lease.running ??= lease.round().finally(() => (lease.running = undefined));
      },
      Math.max(50, Math.floor(options.ttlMs / 3)),
    );
    return lease;
  }

  isLeader(): boolean {
    return !this.stopped && isLeader(this.state, this.now());
  }

  /** Stops renewing; a leader releases the lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    if (this.state.held && this.state.seenRevision !== null) {
      await this.kv.release(this.state.seenRevision).catch((error: unknown) => {
        this.logger.warn(
          { err: errorSummary(error) },
          'schedule lease not released: another replica takes over after its TTL',
        );
      });
      this.logger.info({ holder: this.holder }, 'schedule lease released');
    }
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    const was = isLeader(this.state, this.now());
    try {
      const view = await this.kv.read();
      this.state = observe(this.state, view, this.holder, this.now());
      const step = nextStep(this.state, view, this.holder, this.now(), this.ttlMs);
      if (step.action === 'claim') {
        const sentAt = this.now();
        const revision = await this.kv.claim(this.holder, this.ttlMs, step.expected);
        this.state = claimed(this.state, revision, sentAt, this.ttlMs);
        if (revision !== null && view !== null && view.holder !== this.holder) {
          this.logger.warn(
            { holder: this.holder, previous: view.holder, silentMs: sentAt - this.state.seenSinceMs },
            'schedule lease taken over',
          );
        }
      }
    } catch (error) {
      this.logger.warn({ err: errorSummary(error) }, 'schedule lease not read or renewed');
    }
    const now = isLeader(this.state, this.now());
    if (now && !was) {
      this.logger.info(
        { holder: this.holder, ttlMs: this.ttlMs },
        'schedule leader: this scheduler fires the schedules',
      );
      this.onGained();
    } else if (!now && was) {
      this.logger.warn({ holder: this.holder }, 'schedule leadership lost');
    }
  }
}
