import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fluxi/common';
import {
  makeTestCertificates,
  startRedisServer,
  tempDir,
  type ServerProcess,
  type TestCertificates,
} from '@fluxi/testkit';
import { createRedisClient, redisConnection, redisTls } from '../src/index.js';

// A real redis-server that speaks TLS only and verifies client certificates.
let server: ServerProcess;
let certs: TestCertificates;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  certs = makeTestCertificates(tempDir('fluxi-redis-tls-').path);
  server = await startRedisServer({ tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca } });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await server?.stop();
});

const files = () => ({ caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey });

describe('Redis over TLS (rediss:// and redis.tls)', () => {
  it('runs a BullMQ job through a queue and a worker over TLS', async () => {
    expect(server.url).toMatch(/^rediss:\/\//);
    const client = createRedisClient(server.url, silentLogger(), files());
    closers.push(() => client.quit());
    expect(await client.ping()).toBe('PONG');
    const queue = new Queue('tls-test', { connection: client });
    closers.push(() => queue.close());
    const worker = new Worker('tls-test', async (job) => `done ${String(job.data.n)}`, {
      connection: redisConnection(server.url, files()),
    });
    closers.push(() => worker.close());
    const finished = new Promise<unknown>((resolve) => worker.on('completed', (_job, value) => resolve(value)));
    await queue.add('one', { n: 7 });
    expect(await finished).toBe('done 7');
  });

  it('is refused without the client certificate the server asks for', async () => {
    const client = createRedisClient(server.url, undefined, { caFile: certs.ca });
    closers.push(async () => client.disconnect());
    const failed = new Promise<Error>((resolve) => client.once('error', resolve));
    const error = await failed;
    expect(error.message).toMatch(/certificate|socket|ECONNRESET|closed/i);
  });

  it('uses TLS for rediss:// and reads the files, naming one it cannot read', () => {
    expect(redisTls('redis://127.0.0.1:6379')).toBeUndefined();
    expect(redisTls('rediss://127.0.0.1:6379')).toEqual({});
    expect(redisTls('redis://127.0.0.1:6379', { caFile: certs.ca })?.ca?.toString()).toContain('BEGIN CERTIFICATE');
    expect(() => redisTls('rediss://h', { caFile: '/nonexistent/ca.pem' })).toThrow(
      'redis.tls.caFile /nonexistent/ca.pem cannot be read',
    );
  });
});
