import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamManager } from '@nats-io/jetstream';
import { healthErrorText, type HealthCheck } from '@fluxi/common';

/**
 * The NATS check for `runHealthChecks`: the connection is open and connected, a
 * round trip to the server answers, and, when `jetstream` is given (services that
 * consume or publish on streams), JetStream answers an account info request.
 */
export function natsHealthCheck(nc: NatsConnection, options: { jetstream?: JetStreamManager } = {}): HealthCheck {
  return async () => {
    if (nc.isClosed()) throw new Error('the NATS connection is closed');
    if (nc.isDraining()) throw new Error('the NATS connection is draining: the service is stopping');
    try {
      // Throws at once while disconnected (the client keeps reconnecting meanwhile).
      await nc.rtt();
    } catch (error) {
      if (nc.isClosed()) throw new Error('the NATS connection is closed');
      const text = healthErrorText(error);
      throw new Error(
        /disconnected/i.test(text)
          ? 'disconnected from the NATS server, reconnecting'
          : `NATS does not answer: ${text}`,
      );
    }
    if (options.jetstream === undefined) return;
    try {
      await options.jetstream.getAccountInfo();
    } catch (error) {
      throw new Error(`JetStream does not answer: ${healthErrorText(error)}`);
    }
  };
}

/** The part of an ioredis client the Redis check uses. */
export interface PingableRedis {
  /** ioredis connection state: `ready` once connected, `reconnecting` after a loss… */
  readonly status: string;
  ping(): Promise<unknown>;
}

/**
 * The Redis check for `runHealthChecks`: the client is connected and PING answers.
 * A client that is not connected is down at once, so no PING waits in its offline queue.
 */
export function redisHealthCheck(redis: PingableRedis): HealthCheck {
  return async () => {
    if (redis.status !== 'ready') throw new Error(`not connected to Redis (client ${redis.status})`);
    await redis.ping();
  };
}
