import { z } from 'zod';
import { tlsFilesSchema } from './tls-schema.js';

/**
 * `redis`: the Redis of the executor queues (BullMQ). Unset `url`: `fluxi-server` starts a local
 * `redis-server` on loopback.
 */
export const redisSchema = z
  .object({
    /** `redis://[user:password@]host:6379[/db]`; `rediss://` connects with TLS (the system's CAs, or `tls`). */
    url: z.string().min(1).optional(),
    prefix: z.string().min(1).default('fluxi'),
    /** TLS to an external server: its CA, and a client certificate for one that verifies clients. */
    tls: tlsFilesSchema.optional(),
  })
  .strict()
  .refine((redis) => redis.tls === undefined || redis.url !== undefined, {
    message: 'tls is for an external Redis server: set redis.url too',
    path: ['url'],
  })
  .prefault({});

export type RedisSettings = z.infer<typeof redisSchema>;
