import { Redis } from 'ioredis';
import type { Logger } from '@fluxi/common';
import { createIORedisClient, type ConnectionOptions, type IRedisClient } from 'bullmq';

/** BullMQ connection options from a redis:// URL (workers need maxRetriesPerRequest null). */
export function redisConnection(url: string): ConnectionOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    db,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    maxRetriesPerRequest: null,
  };
}

/**
 * A Redis client for BullMQ queues and workers (ioredis, retrying for ever, as BullMQ
 * workers require). BullMQ does not close a client it was given: `quit()` it after them.
 */
export function createRedisClient(url: string, logger?: Logger): Redis & IRedisClient {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  // Without a listener ioredis prints every failed reconnection to stderr; one line an outage is enough.
  let lost = false;
  redis.on('error', (error: Error) => {
    if (lost) return;
    lost = true;
    logger?.warn({ err: error }, 'Redis connection lost; reconnecting');
  });
  redis.on('ready', () => {
    if (lost) logger?.info('Redis connection back');
    lost = false;
  });
  return createIORedisClient(redis);
}
