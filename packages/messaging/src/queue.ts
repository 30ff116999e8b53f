import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Redis } from 'ioredis';
import type { Logger, TlsFiles } from '@fluxi/common';
import { createIORedisClient, type ConnectionOptions, type IRedisClient } from 'bullmq';

/**
 * TLS options for a Redis `url` and `redis.tls`: TLS for a `rediss://` URL or when files are
 * given (their contents read now), undefined for a plain connection.
 */
export function redisTls(url: string, files?: TlsFiles): TlsOptions | undefined {
  if (new URL(url).protocol !== 'rediss:' && files === undefined) return undefined;
  const read = (key: keyof TlsFiles): Buffer | undefined => {
    const path = files?.[key];
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(`redis.tls.${key} ${path} cannot be read: ${(error as Error).message}`);
    }
  };
  const [ca, cert, key] = [read('caFile'), read('certFile'), read('keyFile')];
  return { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) };
}

/**
 * BullMQ connection options from a redis:// or rediss:// URL and `redis.tls` (workers need
 * maxRetriesPerRequest null).
 */
export function redisConnection(url: string, tlsFiles?: TlsFiles): ConnectionOptions {
  const parsed = new URL(url);
  const tls = redisTls(url, tlsFiles);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    db,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(tls === undefined ? {} : { tls }),
    maxRetriesPerRequest: null,
  };
}

/**
 * A Redis client for BullMQ queues and workers (ioredis, retrying for ever, as BullMQ
 * workers require; TLS as `redisTls` says). BullMQ does not close a client it was given: `quit()` it after them.
 */
export function createRedisClient(
  url: string,
  logger?: Logger,
  tlsFiles?: TlsFiles,
  /** `offlineQueue: false`: a command while disconnected fails at once instead of waiting for the connection. */
  options: { offlineQueue?: boolean } = {},
): Redis & IRedisClient {
  const tls = redisTls(url, tlsFiles);
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    ...(options.offlineQueue === false ? { enableOfflineQueue: false } : {}),
    ...(tls === undefined ? {} : { tls }),
  });
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
