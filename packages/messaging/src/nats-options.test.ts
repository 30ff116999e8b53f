import { describe, expect, it } from 'vitest';
import { natsConnectionOptions, parseNatsServers } from './nats-options.js';

describe('parseNatsServers', () => {
  it('takes the user and password out of the URL, decoded', () => {
    expect(parseNatsServers('nats://fluxi:p%40ss%20word@nats.example:4222')).toEqual({
      servers: ['nats://nats.example:4222'],
      tlsRequired: false,
      user: 'fluxi',
      password: 'p@ss word',
    });
  });

  it('reads user info without a colon as a token, and tls:// as TLS required', () => {
    expect(parseNatsServers('tls://s3cr3t@a:4222, tls://b:4222')).toEqual({
      servers: ['nats://a:4222', 'nats://b:4222'],
      tlsRequired: true,
      token: 's3cr3t',
    });
  });

  it('leaves plain servers as they are', () => {
    expect(parseNatsServers('nats://127.0.0.1:4222,127.0.0.1:4223')).toEqual({
      servers: ['nats://127.0.0.1:4222', '127.0.0.1:4223'],
      tlsRequired: false,
    });
  });
});

describe('natsConnectionOptions', () => {
  it('passes the TLS files and prefers the settings’ credentials over the URL’s', () => {
    const options = natsConnectionOptions('nats://old:old@a:4222', {
      tls: { caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/c.key' },
      token: 'new',
    });
    expect(options).toEqual({
      servers: ['nats://a:4222'],
      tls: { caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/c.key' },
      token: 'new',
    });
  });

  it('asks for TLS with the system CAs for a tls:// URL without settings', () => {
    expect(natsConnectionOptions('tls://u:p@a:4222')).toEqual({
      servers: ['nats://a:4222'],
      tls: {},
      user: 'u',
      pass: 'p',
    });
  });

  it('authenticates with a credentials file’s bytes when given', () => {
    const options = natsConnectionOptions('nats://a:4222', { user: 'u', password: 'p' }, new Uint8Array([1]));
    expect(options.authenticator).toBeTypeOf('function');
    expect(options.user).toBeUndefined();
  });
});
