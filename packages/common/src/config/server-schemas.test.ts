import { describe, expect, it } from 'vitest';
import { natsSchema } from './nats-schema.js';
import { redisSchema } from './redis-schema.js';

const messages = (value: unknown) => {
  const result = natsSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('nats settings', () => {
  it('accepts TLS files and one way to authenticate for an external server', () => {
    expect(
      messages({
        url: 'tls://nats.example:4222',
        tls: { caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/c.key' },
        user: 'fluxi',
        password: 'secret',
      }),
    ).toEqual([]);
    expect(messages({})).toEqual([]);
  });

  it('names what is missing or given twice', () => {
    expect(messages({ url: 'nats://a:4222', tls: { certFile: '/c.pem' } })).toEqual([
      'tls: certFile and keyFile go together: a client certificate needs its key',
    ]);
    expect(messages({ url: 'nats://a:4222', user: 'fluxi' })).toEqual(['user: user and password go together']);
    expect(messages({ url: 'nats://a:4222', token: 't', credentialsFile: '/f.creds' })).toEqual([
      ': give one of user/password, token or credentialsFile',
    ]);
  });

  it('refuses TLS or credentials without an external server', () => {
    expect(messages({ token: 't' })).toEqual([
      'url: tls and credentials are for an external NATS server: set nats.url too',
    ]);
  });
});

describe('nats settings from the environment', () => {
  it('keeps a password of digits a string', () => {
    const parsed = natsSchema.parse({ url: 'nats://a:4222', user: 'ci', password: 123456 });
    expect(parsed.password).toBe('123456');
    expect(natsSchema.parse({}).password).toBeUndefined();
  });
});

describe('redis settings', () => {
  it('takes TLS files for an external server only', () => {
    expect(redisSchema.safeParse({ url: 'rediss://r:6380', tls: { caFile: '/ca.pem' } }).success).toBe(true);
    const refused = redisSchema.safeParse({ tls: { caFile: '/ca.pem' } });
    expect(refused.error?.issues.map((issue) => issue.message)).toEqual([
      'tls is for an external Redis server: set redis.url too',
    ]);
  });
});
