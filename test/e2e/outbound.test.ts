import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi } from '@fluxi/server';
import { tempDir } from '@fluxi/testkit';
import { expect, it } from 'vitest';
import { client } from './client.js';
import { FluxiApi } from './fluxi-api.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * A self-hosted CI server calls nobody by itself: starting Fluxi and running a job makes HTTP
 * requests to its own loopback services only (no usage reporting, no cloud metadata probes).
 */
it('starts and runs a job without any request leaving the machine', async () => {
  const hosts: string[] = [];
  const onHttp = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    hosts.push(request.host);
  };
  const onFetch = (message: unknown) => {
    const { request } = message as { request: { origin: string } };
    hosts.push(new URL(request.origin).hostname);
  };
  subscribe('http.client.request.start', onHttp);
  subscribe('undici:request:create', onFetch);
  const dir = tempDir('fluxi-outbound-');
  try {
    const config = loadConfig({ flags: { dataDir: dir.path, 'gateway.port': 0, 'log.console': false } });
    const system = await startFluxi(config, createLogger({ level: 'warn', console: false }));
    try {
      const { url, adminKey } = system;
      if (url === undefined || adminKey === undefined) throw new Error('the gateway runs here and prints an admin key');
      const api = new FluxiApi(client(url, adminKey));
      const run = await api.ended(await api.triggerJob(await api.createJob({ name: 'hello', command: 'echo hi' })));
      expect(run.status).toBe('SUCCESS');
      // What a start sets off in the background (metadata probes answer or fail within a second).
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      await system.stop();
    }
  } finally {
    unsubscribe('http.client.request.start', onHttp);
    unsubscribe('undici:request:create', onFetch);
    dir.remove();
  }
  expect(hosts.length).toBeGreaterThan(0); // the gateway's own calls to its subgraphs are seen
  expect(hosts.filter((host) => !LOOPBACK.has(host))).toEqual([]);
});
