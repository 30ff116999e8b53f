import { join } from 'node:path';
import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi, type FluxiSystem } from '@fluxi/server';
import { processesWith, tempDir, waitFor } from '@fluxi/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { client } from './client.js';
import { FluxiApi } from './fluxi-api.js';

describe('the launcher supervises its executor process', () => {
  const dir = tempDir('fluxi-supervise-');
  let system: FluxiSystem | undefined;

  afterAll(async () => {
    await system?.stop();
    dir.remove();
  });

  it('starts a new executor when the old one is killed, and jobs run again', async () => {
    system = await startFluxi(
      loadConfig({ flags: { dataDir: dir.path, 'gateway.port': 0, 'log.console': false } }),
      createLogger({ level: 'silent', console: false }),
    );
    const marker = join(dir.path, 'run', 'executor.config.json');
    const [first] = processesWith(marker);
    expect(first).toBeDefined();
    process.kill(first as number, 'SIGKILL');
    const second = await waitFor(() => processesWith(marker).find((pid) => pid !== first), {
      what: 'a new executor process',
      timeoutMs: 30_000,
    });
    expect(second).not.toBe(first);

    const api = new FluxiApi(client(system.url as string, system.adminKey as string));
    const jobId = await api.createJob({ name: 'after-crash', command: 'echo still here' });
    const run = await api.ended(await api.triggerJob(jobId), 30_000);
    expect(run.status).toBe('SUCCESS');
    await system.stop();
    system = undefined;
    expect(processesWith(marker)).toEqual([]);
  });
});
