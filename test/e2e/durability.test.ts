import { createLogger, loadConfig } from '@fluxi/common';
import { startFluxi, type FluxiSystem, type Target } from '@fluxi/server';
import { tempDir } from '@fluxi/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { client } from './client.js';
import { FluxiApi } from './fluxi-api.js';

describe('a restart of the launcher loses no queued work', () => {
  const dir = tempDir('fluxi-durable-');
  let system: FluxiSystem | undefined;

  const boot = (targets: Target[]) =>
    startFluxi(
      loadConfig({ flags: { dataDir: dir.path, 'gateway.port': 0, 'log.console': false } }),
      createLogger({ level: 'warn', console: false }),
      targets,
    );

  afterAll(async () => {
    await system?.stop();
    dir.remove();
  });

  it('runs a job queued while no executor was up, after stopping and starting everything', async () => {
    // No executor: the job waits in the local redis-server's queue.
    system = await boot(['catalog', 'logs', 'scheduler', 'gateway']);
    const key = system.adminKey as string;
    let api = new FluxiApi(client(system.url as string, key));
    const runId = await api.triggerJob(await api.createJob({ name: 'later', command: 'echo survived' }));
    expect((await api.run(runId)).jobRuns[0]?.status).toBe('QUEUED');
    await system.stop();

    system = await boot(['all']);
    api = new FluxiApi(client(system.url as string, key));
    const run = await api.ended(runId);
    expect(run.status).toBe('SUCCESS');
    expect(await api.logs(run.jobRuns[0]?.id ?? '', (lines) => lines.length > 0)).toContain('survived');
  });
});
