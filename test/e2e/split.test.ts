import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSplitFluxi, type SplitFluxi } from './split-fluxi.js';

/** One service per process against shared servers: the docker-compose / k8s layout. */
describe('services in separate processes (fluxi-server --target)', () => {
  let fluxi: SplitFluxi;

  beforeAll(async () => {
    fluxi = await startSplitFluxi();
  });

  afterAll(async () => {
    await fluxi?.cleanup();
  });

  it('runs a job through five processes and stops each cleanly', async () => {
    const { api } = fluxi;
    const run = await api.ended(
      await api.triggerJob(await api.createJob({ name: 'split', command: 'echo from a separate executor' })),
    );
    expect(run.status).toBe('SUCCESS');
    expect(await api.logs(run.jobRuns[0]?.id ?? '', (lines) => lines.length > 0)).toEqual(['from a separate executor']);
    expect(await fluxi.stopAll()).toEqual([0, 0, 0, 0, 0]);
  });
});
