import { z } from 'zod';
import { tlsFilesSchema } from './tls-schema.js';

const file = z.string().min(1);
/** Environment variables and flags turn digits into numbers: a password of digits stays a string. */
const text = z.coerce.string().min(1);

/**
 * `nats`: the NATS server every service and executor talks through. Unset `url`: `fluxi-server`
 * starts a local `nats-server` on loopback. For an external server, how to reach it safely:
 * TLS (its CA, and a client certificate when it asks for one) and one way to authenticate.
 * Job secrets travel over this connection (the catalog's answer to an executor): across
 * machines, use TLS.
 */
export const natsSchema = z
  .object({
    /**
     * `nats://host:4222` (or a comma-separated list of servers); `tls://host:4222` requires TLS.
     * A user and password, or a token, may be given in it (`nats://user:pass@host:4222`,
     * `nats://token@host:4222`) instead of the fields below.
     */
    url: z.string().min(1).optional(),
    tls: tlsFilesSchema.optional(),
    user: text.optional(),
    password: text.optional(),
    token: text.optional(),
    /** A NATS credentials file (user JWT and nkey seed, as `nsc generate creds` writes it). */
    credentialsFile: file.optional(),
  })
  .strict()
  .superRefine((nats, context) => {
    const issue = (path: string[], message: string) => context.addIssue({ code: 'custom', path, message });
    if ((nats.user === undefined) !== (nats.password === undefined)) {
      issue(['user'], 'user and password go together');
    }
    const ways = [nats.user, nats.token, nats.credentialsFile].filter((way) => way !== undefined).length;
    if (ways > 1) issue([], 'give one of user/password, token or credentialsFile');
    const secured = nats.tls !== undefined || ways > 0;
    if (secured && nats.url === undefined) {
      issue(['url'], 'tls and credentials are for an external NATS server: set nats.url too');
    }
  })
  .prefault({});

export type NatsSettings = z.infer<typeof natsSchema>;
