import {
  ContractVersion,
  create,
  DisableNotificationSubscriptionRequestSchema,
  DisableNotificationSubscriptionResponseSchema,
  GetNotificationTargetRequestSchema,
  GetNotificationTargetResponseSchema,
  ListNotificationSubscriptionsRequestSchema,
  ListNotificationSubscriptionsResponseSchema,
  NotificationFormat,
  Subjects,
} from '@fluxi/contracts';
import { FluxiError, type Logger } from '@fluxi/common';
import { request, type Nats } from '@fluxi/messaging';
import type { SubscriptionFilter } from '../domain/matching.js';

/** Where one attempt goes; `undefined` from `target` once the subscription is deleted. */
export interface DeliveryTarget {
  url: string;
  secret: string;
  enabled: boolean;
  format: 'STANDARD' | 'SLACK';
}

/** What the notification parts of the scheduler ask the catalog. */
export interface SubscriptionSource {
  /** The enabled subscriptions (cached briefly; forgotten when the catalog says they changed). */
  list(): Promise<SubscriptionFilter[]>;
  target(subscriptionId: string): Promise<DeliveryTarget | undefined>;
  /** Disables a subscription with its reason; false when it was not enabled any more. */
  disable(subscriptionId: string, reason: string): Promise<boolean>;
}

const version = ContractVersion.CONTRACT_VERSION_1;

/**
 * The catalog over NATS request/reply: the list is kept `cacheMs` and forgotten at each
 * `fluxi.catalog.notifications.changed`; targets (with the secret) are asked for each attempt and
 * never kept.
 */
export class NatsSubscriptionSource implements SubscriptionSource {
  private cached: { at: number; list: Promise<SubscriptionFilter[]> } | undefined;
  private readonly subscription;

  constructor(
    private readonly nats: Nats,
    private readonly cacheMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.subscription = nats.nc.subscribe(Subjects.notificationsChanged, {
      callback: () => {
        this.cached = undefined;
      },
    });
  }

  close(): void {
    this.subscription.unsubscribe();
  }

  async list(): Promise<SubscriptionFilter[]> {
    const cached = this.cached;
    if (cached !== undefined && this.now() - cached.at < this.cacheMs) return cached.list;
    const list = this.fetchList();
    const entry = { at: this.now(), list };
    this.cached = entry;
    list.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return list;
  }

  private async fetchList(): Promise<SubscriptionFilter[]> {
    const schemas = {
      request: ListNotificationSubscriptionsRequestSchema,
      response: ListNotificationSubscriptionsResponseSchema,
    };
    const reply = await request(
      this.nats.nc,
      Subjects.notificationSubscriptions,
      schemas,
      create(schemas.request, { version }),
    );
    if (reply.result.case !== 'subscriptions')
      throw answerError(reply.result.value, Subjects.notificationSubscriptions);
    return reply.result.value.subscriptions.map((s) => ({
      id: s.id,
      events: s.events,
      pipelineIds: s.pipelineIds,
      branches: s.branches,
    }));
  }

  async target(subscriptionId: string): Promise<DeliveryTarget | undefined> {
    const schemas = { request: GetNotificationTargetRequestSchema, response: GetNotificationTargetResponseSchema };
    const reply = await request(
      this.nats.nc,
      Subjects.notificationTarget,
      schemas,
      create(schemas.request, { version, subscriptionId }),
    );
    if (reply.result.case === 'target') {
      const t = reply.result.value;
      return {
        url: t.url,
        secret: t.secret,
        enabled: t.enabled,
        format: t.format === NotificationFormat.SLACK ? 'SLACK' : 'STANDARD',
      };
    }
    if (reply.result.value?.code === 'NOT_FOUND') return undefined;
    throw answerError(reply.result.value, Subjects.notificationTarget);
  }

  async disable(subscriptionId: string, reason: string): Promise<boolean> {
    const schemas = {
      request: DisableNotificationSubscriptionRequestSchema,
      response: DisableNotificationSubscriptionResponseSchema,
    };
    const reply = await request(
      this.nats.nc,
      Subjects.notificationDisable,
      schemas,
      create(schemas.request, { version, subscriptionId, reason }),
    );
    if (reply.result.case === 'disabled') return reply.result.value;
    this.logger.warn({ subscriptionId }, 'the catalog did not disable a failing notification subscription');
    throw answerError(reply.result.value, Subjects.notificationDisable);
  }
}

function answerError(detail: { code: string; message: string } | undefined, subject: string): FluxiError {
  return new FluxiError(
    'UNAVAILABLE',
    `the catalog answered ${subject} with ${detail?.code ?? 'nothing'}: ${detail?.message ?? ''}`,
  );
}
