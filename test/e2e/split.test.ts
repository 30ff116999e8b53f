import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  createTestDatabase,
  freePort,
  startNatsServer,
  startRedisServer,
  tempDir,
  waitFor,
  type ServerProcess,
  type TestDatabase,
} from '@fluxi/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from './client.js';
import { FluxiApi } from './fluxi-api.js';

const BIN = join(import.meta.dirname, '../../apps/server/dist/bin.js');

/** One service per process against shared servers: the docker-compose / k8s layout. */
describe('services in separate processes (fluxi-server --target)', () => {
  const dir = tempDir('fluxi-split-');
  const children: ChildProcess[] = [];
  let nats: ServerProcess;
  let redis: ServerProcess;
  let database: TestDatabase;
  let gatewayUrl: string;
  let adminKey = '';

  function launch(target: string, settings: Record<string, string | number>): ChildProcess {
    const args = ['--target', target, '--data-dir', join(dir.path, target), '--set', 'log.console=false'];
    for (const [key, value] of Object.entries(settings)) args.push('--set', `${key}=${value}`);
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NATS_URL: nats.url, REDIS_URL: redis.url, DATABASE_URL: database.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      const key = /\n\s+(fluxi_\S+)/.exec(chunk.toString())?.[1];
      if (key) adminKey = key;
    });
    children.push(child);
    return child;
  }

  beforeAll(async () => {
    [nats, redis, database] = await Promise.all([
      startNatsServer(),
      startRedisServer(),
      createTestDatabase('fluxi_split'),
    ]);
    const [catalogPort, schedulerPort, logsPort, gatewayPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    launch('catalog', { 'catalog.port': catalogPort });
    launch('scheduler', { 'scheduler.port': schedulerPort });
    launch('logs', { 'logs.port': logsPort });
    launch('executor', { 'executor.concurrency': 2 });
    await waitFor(() => adminKey !== '', { what: 'the catalog to print the admin key', timeoutMs: 60_000 });
    launch('gateway', {
      'gateway.port': gatewayPort,
      'gateway.subgraphs.catalog': `http://127.0.0.1:${catalogPort}/graphql`,
      'gateway.subgraphs.scheduler': `http://127.0.0.1:${schedulerPort}/graphql`,
      'gateway.subgraphs.logs': `http://127.0.0.1:${logsPort}/graphql`,
    });
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    await waitFor(async () => (await fetch(`${gatewayUrl}/health`)).ok, { what: 'the gateway', timeoutMs: 60_000 });
  });

  afterAll(async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await Promise.all([nats?.stop(), redis?.stop()]);
    await database?.drop();
    dir.remove();
  });

  it('runs a job through five processes and stops each cleanly', async () => {
    const api = new FluxiApi(client(gatewayUrl, adminKey));
    const run = await api.ended(
      await api.triggerJob(await api.createJob({ name: 'split', command: 'echo from a separate executor' })),
    );
    expect(run.status).toBe('SUCCESS');
    expect(await api.logs(run.jobRuns[0]?.id ?? '', (lines) => lines.length > 0)).toEqual(['from a separate executor']);
    const codes = await Promise.all(
      children.map(
        (child) =>
          new Promise<number | null>((resolve) => {
            child.once('exit', (code) => resolve(code));
            child.kill('SIGTERM');
          }),
      ),
    );
    expect(codes).toEqual([0, 0, 0, 0, 0]);
  });
});
