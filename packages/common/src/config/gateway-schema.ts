import { z } from 'zod';

const port = z.number().int().min(0).max(65535);
const url = z.string().min(1);

/** `gateway`: the public endpoint (GraphQL, REST, live streams, webhooks) and its limits. */
export const gatewaySchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: port.default(4000),
    /** Subgraph URLs when the services run in other processes. */
    subgraphs: z
      .object({ catalog: url.optional(), scheduler: url.optional(), logs: url.optional() })
      .strict()
      .prefault({}),
    /** `POST /hooks/github` and `POST /hooks/gitlab`. */
    webhooks: z
      .object({
        /** Largest delivery body read, in bytes; a larger one is answered 413 before it is parsed. */
        maxBodyBytes: z
          .number()
          .int()
          .min(1024)
          .max(64 * 1024 * 1024)
          .default(1024 * 1024),
        /**
         * Seconds the gateway keeps the catalog's answer for one repository (its pipelines, filters
         * and webhook secrets); a changed secret or filter is seen after at most this. 0: no cache.
         */
        cacheSec: z.number().min(0).max(300).default(10),
      })
      .strict()
      .prefault({}),
    /**
     * Failed authentications (refused API keys, failed logins) allowed per key prefix or user name
     * (`perKey`) and per client address (`perAddress`) in `windowSec`; over either, requests from
     * it are answered 429 until the window ends.
     */
    authFailures: z
      .object({
        perKey: z.number().int().min(1).max(100_000).default(10),
        perAddress: z.number().int().min(1).max(100_000).default(30),
        windowSec: z.number().int().min(1).max(86_400).default(60),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
