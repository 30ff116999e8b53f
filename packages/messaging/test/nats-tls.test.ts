import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import {
  makeTestCertificates,
  startNatsServer,
  tempDir,
  type ServerProcess,
  type TestCertificates,
} from '@fluxi/testkit';
import { connectNats, type Nats } from '../src/index.js';

// A real nats-server that requires TLS, verifies client certificates and asks for a user.
let server: ServerProcess;
let certs: TestCertificates;
const opened: Nats[] = [];

beforeAll(async () => {
  certs = makeTestCertificates(tempDir('fluxi-nats-tls-').path);
  server = await startNatsServer({
    args: [
      '--tls',
      '--tlscert',
      certs.serverCert,
      '--tlskey',
      certs.serverKey,
      '--tlscacert',
      certs.ca,
      '--tlsverify',
      '--user',
      'fluxi',
      '--pass',
      's3cret pass',
    ],
  });
});

afterAll(async () => {
  await Promise.all(opened.map((nats) => nats.close()));
  await server?.stop();
});

const hostPort = () => server.url.replace('nats://', '');
const clientTls = () => ({ caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey });

async function roundTrip(nats: Nats): Promise<string> {
  opened.push(nats);
  const sub = nats.nc.subscribe('tls.echo', { max: 1, callback: (_error, msg) => void msg.respond(msg.data) });
  const answer = await nats.nc.request('tls.echo', 'over TLS', { timeout: 5000 });
  sub.unsubscribe();
  return answer.string();
}

describe('connectNats to a server with TLS and authentication', () => {
  it('connects with the CA, a client certificate and a user from the settings', async () => {
    const nats = await connectNats(server.url, 'tls-test', silentLogger(), {
      tls: clientTls(),
      user: 'fluxi',
      password: 's3cret pass',
    });
    expect(nats.nc.info?.tls_required).toBe(true);
    expect(await roundTrip(nats)).toBe('over TLS');
    // connectNats made Fluxi's streams: JetStream answered over the same connection.
    expect((await nats.jsm.streams.names().next()).length).toBeGreaterThan(0);
  });

  it('takes the user and password from the URL (tls:// requires TLS)', async () => {
    const url = `tls://fluxi:${encodeURIComponent('s3cret pass')}@${hostPort()}`;
    const nats = await connectNats(url, 'tls-url-test', silentLogger(), { tls: clientTls() });
    expect(await roundTrip(nats)).toBe('over TLS');
  });

  it('refuses a server whose certificate no trusted CA signed', async () => {
    const refused = connectNats(server.url, 'tls-no-ca', silentLogger(), {
      tls: { certFile: certs.clientCert, keyFile: certs.clientKey },
      user: 'fluxi',
      password: 's3cret pass',
    });
    await expect(refused).rejects.toThrow(/certificate/i);
  });

  it('refuses a wrong password with the server’s answer', async () => {
    const refused = connectNats(server.url, 'tls-bad-pass', silentLogger(), {
      tls: clientTls(),
      user: 'fluxi',
      password: 'wrong',
    });
    await expect(refused).rejects.toThrow(/authorization/i);
  });

  it('names an unreadable credentials file', async () => {
    const refused = connectNats(server.url, 'tls-creds', silentLogger(), {
      tls: clientTls(),
      credentialsFile: '/nonexistent/fluxi.creds',
    });
    await expect(refused).rejects.toThrow('nats.credentialsFile /nonexistent/fluxi.creds cannot be read');
  });
});
