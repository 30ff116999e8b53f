import type { Logger } from '@fluxi/common';
import {
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
import { serve, type Nats } from '@fluxi/messaging';
import { FluxiError } from '@fluxi/common';
import type { NotificationStore } from '../../store/notification-store.js';
import { errorDetail } from './error-detail.js';

const FORMATS = { STANDARD: NotificationFormat.STANDARD, SLACK: NotificationFormat.SLACK } as const;

/** Tells the schedulers (core NATS, no payload) that subscriptions changed: they forget their cached list. */
export async function publishNotificationsChanged(nats: Nats): Promise<void> {
  nats.nc.publish(Subjects.notificationsChanged);
  await nats.nc.flush();
}

/**
 * The scheduler's questions about notification subscriptions: the enabled ones (for matching; no URL,
 * no secret), one's target for a delivery attempt (URL, format and the secret in the clear: NATS carries
 * it to the scheduler only), and the automatic disable of a subscription whose receiver keeps failing.
 * Returns a function that stops serving.
 */
export function serveNotificationRequests(nats: Nats, store: NotificationStore, logger: Logger): () => void {
  const stops = [
    serve(nats.nc, {
      subject: Subjects.notificationSubscriptions,
      request: ListNotificationSubscriptionsRequestSchema,
      response: ListNotificationSubscriptionsResponseSchema,
      logger,
      handler: async () => {
        try {
          const subscriptions = (await store.list(true)).map((s) => ({
            id: s.id,
            name: s.name,
            events: s.events,
            pipelineIds: s.pipelineIds,
            branches: s.branches,
          }));
          return create(ListNotificationSubscriptionsResponseSchema, {
            result: { case: 'subscriptions', value: { subscriptions } },
          });
        } catch (error) {
          const value = errorDetail(error, logger, Subjects.notificationSubscriptions);
          return create(ListNotificationSubscriptionsResponseSchema, { result: { case: 'error', value } });
        }
      },
    }),
    serve(nats.nc, {
      subject: Subjects.notificationTarget,
      request: GetNotificationTargetRequestSchema,
      response: GetNotificationTargetResponseSchema,
      logger,
      handler: async (req) => {
        try {
          const target = await store.target(req.subscriptionId);
          if (target === undefined) {
            throw new FluxiError('NOT_FOUND', `notification subscription ${req.subscriptionId} not found`);
          }
          return create(GetNotificationTargetResponseSchema, {
            result: { case: 'target', value: { ...target, format: FORMATS[target.format] } },
          });
        } catch (error) {
          const value = errorDetail(error, logger, Subjects.notificationTarget);
          return create(GetNotificationTargetResponseSchema, { result: { case: 'error', value } });
        }
      },
    }),
    serve(nats.nc, {
      subject: Subjects.notificationDisable,
      request: DisableNotificationSubscriptionRequestSchema,
      response: DisableNotificationSubscriptionResponseSchema,
      logger,
      handler: async (req) => {
        try {
          const disabled = await store.disable(req.subscriptionId, req.reason.slice(0, 1000));
          if (disabled) {
            logger.warn(
              { subscriptionId: req.subscriptionId, reason: req.reason },
              'notification subscription disabled automatically',
            );
            await publishNotificationsChanged(nats);
          }
          return create(DisableNotificationSubscriptionResponseSchema, {
            result: { case: 'disabled', value: disabled },
          });
        } catch (error) {
          const value = errorDetail(error, logger, Subjects.notificationDisable);
          return create(DisableNotificationSubscriptionResponseSchema, { result: { case: 'error', value } });
        }
      },
    }),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
