import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSplitFluxi, type SplitFluxi } from '../e2e/split-fluxi.js';
import { expectAllStored, numberedLines, report } from './harness.js';

const LINES = 60;
const EXPECTED = Array.from({ length: LINES }, (_, i) => `line ${i + 1}`);

/**
 * The scheduler process is SIGKILLed in the middle of runs, in the one-service-per-process
 * layout: once it is started again, it takes the events it missed and the runs finish.
 */
describe('chaos: the scheduler process killed mid-run', () => {
  let fluxi: SplitFluxi;

  beforeAll(async () => {
    fluxi = await startSplitFluxi();
  });
  afterAll(async () => {
    await fluxi?.cleanup();
  });

  it('finishes every run after the scheduler is started again', async () => {
    const { api } = fluxi;
    const jobId = await api.createJob({ name: 'printer', command: numberedLines(LINES, 25) });
    const pipelineId = await api.createPipeline({
      name: 'chaos-scheduler',
      stages: [
        { name: 'one', entries: [{ jobId, name: 'first' }] },
        { name: 'two', entries: [{ jobId, name: 'second' }] },
      ],
    });
    const runs = await Promise.all([api.trigger(pipelineId), api.trigger(pipelineId), api.trigger(pipelineId)]);
    await api.jobRunIn(runs[0]?.id as string, 'first', 'RUNNING');
    const scheduler = fluxi.process('scheduler');
    const killedAt = Date.now();
    scheduler.kill('SIGKILL');
    await new Promise<void>((resolve) => scheduler.once('exit', () => resolve()));
    // Down for a while: the first stage's jobs finish meanwhile, their events wait in JetStream.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await fluxi.restart('scheduler');
    const restartedAfterMs = Date.now() - killedAt;
    const ended = await Promise.all(runs.map((run) => api.ended(run.id, 120_000)));
    const figures = await expectAllStored(api, ended, EXPECTED);
    for (const run of ended) expect(run.jobRuns.map((jobRun) => jobRun.attempts.length)).toEqual([1, 1]);
    report('scheduler SIGKILL (split layout)', {
      ...figures,
      restartedAfterMs,
      allEndedAfterMs: Date.now() - killedAt,
    });
  });
});
