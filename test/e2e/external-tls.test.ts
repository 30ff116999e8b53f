import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeTestCertificates,
  runFluxiCli,
  startNatsServer,
  startRedisServer,
  tempDir,
  waitFor,
  type ServerProcess,
  type TestCertificates,
} from '@fluxi/testkit';
import { client } from './client.js';
import { FluxiApi } from './fluxi-api.js';

const PASSWORD = 'n4ts pass!';

/**
 * fluxi-server against an external NATS that requires TLS, verifies client certificates and
 * asks for a password, and an external Redis that speaks TLS only and verifies client
 * certificates: every service and the executor process (which gets the settings in its config
 * file) connect, a job runs, and the password shows nowhere.
 */
describe('an external NATS with TLS and a password, and Redis over TLS', () => {
  let nats: ServerProcess;
  let redis: ServerProcess;
  let certs: TestCertificates;
  const dir = tempDir('fluxi-nats-tls-e2e-');

  beforeAll(async () => {
    certs = makeTestCertificates(dir.path);
    nats = await startNatsServer({
      args: [
        ...['--tls', '--tlscert', certs.serverCert, '--tlskey', certs.serverKey],
        ...['--tlscacert', certs.ca, '--tlsverify', '--user', 'fluxi', '--pass', PASSWORD],
      ],
    });
    redis = await startRedisServer({ tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca } });
  });

  afterAll(async () => {
    await nats?.stop();
    await redis?.stop();
    dir.remove();
  });

  const start = (dataDir: string, password: string) =>
    runFluxiCli([
      ...['--data-dir', dataDir, '--port', '0', '--set', 'log.console=false'],
      ...['--set', `nats.url=${nats.url.replace('nats://', `tls://fluxi:${encodeURIComponent(password)}@`)}`],
      ...['--set', `nats.tls.caFile=${certs.ca}`],
      ...['--set', `nats.tls.certFile=${certs.clientCert}`, '--set', `nats.tls.keyFile=${certs.clientKey}`],
      ...['--set', `redis.url=${redis.url}`, '--set', `redis.tls.caFile=${certs.ca}`],
      ...['--set', `redis.tls.certFile=${certs.clientCert}`, '--set', `redis.tls.keyFile=${certs.clientKey}`],
    ]);

  it('runs a job, and keeps the password out of what it prints and logs', async () => {
    const dataDir = join(dir.path, 'ok');
    const { child, out, exited } = start(dataDir, PASSWORD);
    try {
      await waitFor(() => out.stdout.includes('Press Ctrl-C') || child.exitCode !== null, {
        what: 'the ready message',
        timeoutMs: 90_000,
      });
      expect(out.stderr).toBe('');
      const url = /GraphQL: (\S+)\/graphql/.exec(out.stdout)?.[1] ?? '';
      const key = /\n\s+(fluxi_\S+)/.exec(out.stdout)?.[1] ?? '';
      const api = new FluxiApi(client(url, key));
      const run = await api.ended(await api.triggerJob(await api.createJob({ name: 'tls', command: 'echo over tls' })));
      expect(run.status).toBe('SUCCESS');
      expect(await api.logs(run.jobRuns[0]?.id ?? '', (lines) => lines.length > 0)).toEqual(['over tls']);
      const health = (await (await fetch(`${url}/health`)).json()) as { status: string };
      expect(health.status).toBe('ok');
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(out.stdout).not.toContain(PASSWORD);
    expect(readFileSync(join(dataDir, 'logs', 'info.log'), 'utf8')).not.toContain(PASSWORD);
  });

  it('exits at once when NATS refuses the password, saying so', async () => {
    const { out, exited } = start(join(dir.path, 'refused'), 'wrong');
    expect(await exited).not.toBe(0);
    expect(out.stderr).toMatch(/cannot connect to NATS at nats:\/\/127.0.0.1:\d+: Authorization Violation/);
    expect(out.stderr).not.toContain('wrong@');
  });
});
