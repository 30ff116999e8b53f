import { performance } from 'node:perf_hooks';
import type { Logger } from '@fluxi/common';
import { bodyOf } from '../domain/payload.js';
import { isDelivered, retryDelayMs, verdictOf, type BackoffOptions } from '../domain/retry.js';
import { signatureHeaders } from '../domain/signature.js';
import type { DeliveryStore, DueDelivery } from '../store/delivery-store.js';
import type { SubscriptionSource } from './catalog-subscriptions.js';
import type { Sender, SendResult } from './http-sender.js';

export interface DeliveryLoopOptions {
  timeoutMs: number;
  backoff: BackoffOptions;
  disableAfterFailures: number;
  concurrency: number;
  pollMs: number;
  keepDays: number;
}

export interface DeliveryLoopDeps {
  store: DeliveryStore;
  subscriptions: SubscriptionSource;
  send: Sender;
  logger: Logger;
  now: () => Date;
  random: () => number;
}

/** How long a delivery is held by the replica sending it, beyond the receiver's timeout. */
const LOCK_MARGIN_MS = 30_000;
/** Wait before a delivery is tried again when the catalog could not say where it goes. */
const CATALOG_RETRY_MS = 5000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Sends due deliveries: at most `concurrency` at once and one at a time per subscription, so a
 * receiver that hangs holds only its own queue (for `timeoutMs` per attempt), never the others nor the
 * runs (nothing here is on the run engine's path). Each attempt asks the catalog for the target (URL,
 * format, secret), is signed (Standard Webhooks), and is recorded with its status code, duration, answer
 * excerpt and error; a failed one is retried with exponential backoff and jitter up to the delivery's
 * last attempt, then given up (DEAD). After `disableAfterFailures` failed attempts in a row the
 * subscription is disabled through the catalog, with the reason, and its pending deliveries given up.
 */
export class DeliveryLoop {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;
  private again = false;
  private lastPrune = 0;

  constructor(
    private readonly deps: DeliveryLoopDeps,
    private readonly options: DeliveryLoopOptions,
  ) {}

  start(): { stop(): Promise<void> } {
    this.timer = setInterval(() => void this.tick(), this.options.pollMs);
    this.timer.unref();
    this.wake();
    return { stop: () => this.stop() };
  }

  /**
   * The periodic look: a pass while any subscription is enabled or a delivery is in flight; else only
   * the hourly prune (the database is not asked every `pollMs` for deliveries nobody can receive).
   * New deliveries and redeliveries wake the loop themselves.
   */
  private async tick(): Promise<void> {
    let listening = true;
    try {
      listening = this.inFlight.size > 0 || (await this.deps.subscriptions.list()).length > 0;
    } catch {
      // The catalog cannot say: a pass finds out what is due all the same.
    }
    if (listening) this.wake();
    else if (this.passing === undefined)
      await this.pruneWhenDue().catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'notification delivery prune failed'),
      );
  }

  /** Looks for due deliveries now (passes do not overlap: one asked for during a pass runs after it). */
  wake(): void {
    if (this.stopping.signal.aborted) return;
    if (this.passing !== undefined) {
      this.again = true;
      return;
    }
    this.passing = this.pass()
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'notification delivery pass failed'))
      .finally(() => {
        this.passing = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** One pass: claims due deliveries within the free slots and starts sending them (not awaited). */
  async pass(): Promise<void> {
    await this.pruneWhenDue();
    const now = this.deps.now();
    const free = this.options.concurrency - this.inFlight.size;
    const lockedUntil = new Date(now.getTime() + this.options.timeoutMs + LOCK_MARGIN_MS);
    const claimed = await this.deps.store.claimDue(now, lockedUntil, free, [...this.inFlight.keys()]);
    for (const delivery of claimed) {
      const sending = this.deliver(delivery)
        .catch((error: unknown) => {
          if (!this.stopping.signal.aborted) {
            this.deps.logger.warn(
              { err: error, deliveryId: delivery.id },
              'notification delivery failed to be handled',
            );
          }
        })
        .finally(() => {
          this.inFlight.delete(delivery.subscriptionId);
          this.wake();
        });
      this.inFlight.set(delivery.subscriptionId, sending);
    }
  }

  /** Waits for the deliveries being sent (test helper and stop). */
  async idle(): Promise<void> {
    await this.passing;
    await Promise.all([...this.inFlight.values()]);
  }

  private async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopping.abort();
    await this.passing;
    await Promise.all([...this.inFlight.values()]);
  }

  private async deliver(delivery: DueDelivery): Promise<void> {
    const { store, subscriptions, logger } = this.deps;
    let target;
    try {
      target = await subscriptions.target(delivery.subscriptionId);
    } catch (error) {
      logger.warn(
        { err: error, deliveryId: delivery.id },
        'notification target unknown (catalog not answering): retried',
      );
      await store.release(delivery.id, new Date(this.deps.now().getTime() + CATALOG_RETRY_MS));
      return;
    }
    if (target === undefined || !target.enabled) {
      const reason = target === undefined ? 'subscription deleted' : 'subscription disabled';
      await store.abandonPending(delivery.subscriptionId, reason, this.deps.now());
      return;
    }
    const attempt = delivery.attempts + 1;
    const at = this.deps.now();
    const body = bodyOf(delivery.payload, target.format);
    const headers = signatureHeaders(target.secret, delivery.id, at, body);
    const started = performance.now();
    let result: SendResult;
    try {
      result = await this.deps.send(target.url, headers, body, {
        timeoutMs: this.options.timeoutMs,
        signal: this.stopping.signal,
      });
    } catch (error) {
      // Stopping: not an attempt; the delivery is due again at the next start.
      await store.release(delivery.id, at).catch(() => undefined);
      throw error;
    }
    const durationMs = Math.round(performance.now() - started);
    const ok = isDelivered(result.statusCode);
    const verdict = verdictOf(
      ok,
      attempt,
      delivery.lastAttempt,
      this.deps.now(),
      retryDelayMs(attempt, this.options.backoff, this.deps.random()),
    );
    const failures = await store.finishAttempt(
      delivery,
      { attempt, at, durationMs, statusCode: result.statusCode, responseExcerpt: result.excerpt, error: result.error },
      { status: verdict.status, ...(verdict.status === 'PENDING' ? { retryAt: verdict.retryAt } : {}) },
    );
    logger.debug(
      {
        deliveryId: delivery.id,
        subscriptionId: delivery.subscriptionId,
        attempt,
        statusCode: result.statusCode,
        durationMs,
        status: verdict.status,
      },
      'notification attempt',
    );
    if (!ok && failures >= this.options.disableAfterFailures) {
      await this.autoDisable(delivery.subscriptionId, failures, result);
    }
  }

  private async autoDisable(subscriptionId: string, failures: number, last: SendResult): Promise<void> {
    const lastError = last.statusCode === null ? (last.error ?? 'no answer') : `HTTP ${last.statusCode}`;
    const reason = `disabled after ${failures} failed delivery attempts in a row (last: ${lastError})`;
    await this.deps.subscriptions.disable(subscriptionId, reason);
    await this.deps.store.resetFailures(subscriptionId);
    const abandoned = await this.deps.store.abandonPending(subscriptionId, `subscription ${reason}`, this.deps.now());
    this.deps.logger.warn(
      { subscriptionId, failures, lastError, abandoned },
      'notification subscription disabled: its receiver keeps failing',
    );
  }

  private async pruneWhenDue(): Promise<void> {
    const now = this.deps.now().getTime();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const deleted = await this.deps.store.prune(new Date(now - this.options.keepDays * 86_400_000));
    if (deleted > 0)
      this.deps.logger.info({ deleted, keepDays: this.options.keepDays }, 'notification deliveries pruned');
  }
}
