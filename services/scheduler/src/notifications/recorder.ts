import type { Logger } from '@fluxi/common';
import { errorSummary } from '../domain/error-summary.js';
import type { Database } from '@fluxi/db';
import type { NotificationOccurrence } from './domain/events.js';
import { matchingSubscriptions } from './domain/matching.js';
import { payloadOf, type RunFacts } from './domain/payload.js';
import type { DeliveryStore, NewDelivery } from './store/delivery-store.js';
import { runFacts } from './store/run-facts.js';
import type { SubscriptionSource } from './transport/catalog-subscriptions.js';

/**
 * Turns occurrences into deliveries (the outbox): matched against the enabled subscriptions, completed
 * with what the store knows of their run, written once per (subscription, occurrence). Throws when the
 * catalog or the database cannot be reached, so the caller's source (a JetStream message) is retried.
 */
export class NotificationRecorder {
  constructor(
    private readonly deps: {
      db: Database;
      deliveries: DeliveryStore;
      subscriptions: SubscriptionSource;
      maxAttempts: number;
      logger: Logger;
      now: () => Date;
      /** Called when new deliveries were written (the delivery loop looks at once). */
      recorded: () => void;
    },
  ) {}

  /** Whether any subscription is enabled (cached): with none, run events need not even be read. */
  async listening(): Promise<boolean> {
    return (await this.deps.subscriptions.list()).length > 0;
  }

  async record(occurrences: readonly NotificationOccurrence[]): Promise<void> {
    if (occurrences.length === 0) return;
    const subscriptions = await this.deps.subscriptions.list();
    if (subscriptions.length === 0) return;
    const runs = new Map<string, RunFacts | undefined>();
    const deliveries: NewDelivery[] = [];
    for (const occurrence of occurrences) {
      if (!subscriptions.some((s) => s.events.includes(occurrence.type))) continue;
      const runId = occurrence.pipelineRunId;
      if (runId !== null && !runs.has(runId)) runs.set(runId, await runFacts(this.deps.db, runId));
      const run = runId === null ? undefined : runs.get(runId);
      const matched = matchingSubscriptions(occurrence, run?.branch ?? null, subscriptions);
      if (matched.length === 0) continue;
      const payload = payloadOf(occurrence, run);
      for (const subscription of matched) {
        deliveries.push({
          subscriptionId: subscription.id,
          occurrenceKey: occurrence.key,
          pipelineRunId: runId,
          payload,
        });
      }
    }
    if (deliveries.length === 0) return;
    const created = await this.deps.deliveries.record(deliveries, this.deps.maxAttempts, this.deps.now());
    if (created > 0) {
      this.deps.logger.debug({ created }, 'notification deliveries recorded');
      this.deps.recorded();
    }
  }

  /** Records without throwing (sources that cannot be retried: a schedule fire, a dead letter); failures are logged. */
  async recordBestEffort(occurrences: readonly NotificationOccurrence[]): Promise<void> {
    try {
      await this.record(occurrences);
    } catch (error) {
      this.deps.logger.warn(
        { err: errorSummary(error), types: occurrences.map((o) => o.type) },
        'notifications of an occurrence could not be recorded',
      );
    }
  }
}
