import { z } from 'zod';

/**
 * `notifications`: outgoing webhooks (subscriptions are catalog definitions; the scheduler delivers).
 * Attempt n (from 1) that failed is tried again after `backoff.initialMs * backoff.factor^(n-1)`, at most
 * `backoff.maxMs`, each delay moved by up to ±`backoff.jitter` of itself.
 */
export const notificationsSchema = z
  .object({
    /** Off: the scheduler neither records nor delivers notifications (subscriptions can still be edited). */
    enabled: z.boolean().default(true),
    /** Longest wait for a receiver's answer (connect, headers and body), in milliseconds. */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** Attempts of one delivery (the first and its retries) before it is given up (DEAD). */
    maxAttempts: z.number().int().min(1).max(50).default(8),
    backoff: z
      .object({
        initialMs: z.number().int().min(10).max(86_400_000).default(5000),
        factor: z.number().min(1).max(10).default(2),
        maxMs: z
          .number()
          .int()
          .min(10)
          .max(7 * 86_400_000)
          .default(3_600_000),
        /** Fraction of each delay added or taken at random (0: none). */
        jitter: z.number().min(0).max(1).default(0.2),
      })
      .strict()
      .prefault({}),
    /** Failed attempts in a row (any delivery of the subscription) after which a subscription is disabled. */
    disableAfterFailures: z.number().int().min(1).max(10_000).default(20),
    /** Deliveries in flight at once across receivers (one at a time per subscription). */
    concurrency: z.number().int().min(1).max(256).default(16),
    /** How often due deliveries are looked for (besides right after new ones are recorded). */
    pollMs: z.number().int().min(10).max(60_000).default(1000),
    /** Seconds the scheduler keeps the catalog's list of subscriptions (a change event forgets it at once). */
    subscriptionCacheSec: z.number().min(0).max(3600).default(30),
    /** Days delivered and given-up deliveries (and their attempts) are kept. */
    keepDays: z.number().positive().max(3650).default(14),
  })
  .strict()
  .prefault({});
