import type { Logger } from '@fluxi/common';
import { requireRole, type Resolvers, type SubgraphContext } from '@fluxi/graphql';
import {
  eventNames,
  newNotificationSecret,
  validateNewNotification,
  validateNotificationFields,
  type NotificationInput,
  type NotificationSubscription,
} from '../../domain/notification.js';
import type { NotificationStore } from '../../store/notification-store.js';

export function notificationObject(subscription: NotificationSubscription): Record<string, unknown> {
  return {
    ...subscription,
    events: eventNames(subscription.events),
    disabledAt: subscription.disabledAt?.toISOString() ?? null,
    secretSetAt: subscription.secretSetAt.toISOString(),
    createdAt: subscription.createdAt.toISOString(),
    updatedAt: subscription.updatedAt.toISOString(),
  };
}

/**
 * Subscriptions: readers list them (never a secret), writers change them. Each change is told to the
 * schedulers (`changed`, after the commit) so they stop using the list they cached.
 */
export function notificationResolvers(
  store: NotificationStore,
  changed: () => Promise<void>,
  logger: Logger,
): Resolvers {
  const writer = (ctx: SubgraphContext, what: string) => requireRole(ctx.principal, 'writer', what);
  const done = async (subscription: NotificationSubscription, action: string, by: string) => {
    await changed();
    logger.info({ subscriptionId: subscription.id, by }, `notification subscription ${action}`);
  };
  return {
    Query: {
      notificationSubscriptions: async (_: unknown, __: unknown, ctx: SubgraphContext) => {
        requireRole(ctx.principal, 'reader', 'listing notification subscriptions');
        return (await store.list()).map(notificationObject);
      },
      notificationSubscription: async (_: unknown, { id }: { id: string }, ctx: SubgraphContext) => {
        requireRole(ctx.principal, 'reader', 'reading a notification subscription');
        return notificationObject(await store.require(id));
      },
    },
    Mutation: {
      createNotificationSubscription: async (
        _: unknown,
        { input }: { input: NotificationInput },
        ctx: SubgraphContext,
      ) => {
        const principal = writer(ctx, 'createNotificationSubscription');
        const fields = validateNewNotification(input);
        const subscription = await store.create(fields);
        await done(subscription, 'created', principal.userName);
        return { subscription: notificationObject(subscription), secret: fields.secret };
      },
      updateNotificationSubscription: async (
        _: unknown,
        { id, input }: { id: string; input: NotificationInput },
        ctx: SubgraphContext,
      ) => {
        const principal = writer(ctx, 'updateNotificationSubscription');
        const subscription = await store.update(id, validateNotificationFields(input));
        await done(subscription, 'updated', principal.userName);
        return notificationObject(subscription);
      },
      rotateNotificationSecret: async (_: unknown, { id }: { id: string }, ctx: SubgraphContext) => {
        const principal = writer(ctx, 'rotateNotificationSecret');
        const secret = newNotificationSecret();
        const subscription = await store.update(id, { secret });
        await done(subscription, 'secret rotated', principal.userName);
        return { subscription: notificationObject(subscription), secret };
      },
      enableNotificationSubscription: async (
        _: unknown,
        { id, enabled }: { id: string; enabled: boolean },
        ctx: SubgraphContext,
      ) => {
        const principal = writer(ctx, 'enableNotificationSubscription');
        const subscription = await store.update(id, { enabled });
        await done(subscription, enabled ? 'enabled' : 'disabled', principal.userName);
        return notificationObject(subscription);
      },
      deleteNotificationSubscription: async (_: unknown, { id }: { id: string }, ctx: SubgraphContext) => {
        const principal = writer(ctx, 'deleteNotificationSubscription');
        await store.delete(id);
        await changed();
        logger.info({ subscriptionId: id, by: principal.userName }, 'notification subscription deleted');
        return true;
      },
    },
    NotificationSubscription: {
      __resolveReference: async (ref: { id: string }) => notificationObject(await store.require(ref.id)),
    },
  };
}
