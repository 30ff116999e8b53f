import { waitFor } from '@fluxi/testkit';
import { describe, expect, it } from 'vitest';
import { usePoolsFluxi } from './pools-harness.js';

/**
 * Why a job run handed to its pool waits, as `JobRun.waitingReason` tells it: no executor
 * of the pool, none with the job's tags, every one paused by its host's admission thresholds.
 */

const fluxi = usePoolsFluxi();

const EXECUTORS = '{ executors { id pool state pausedReason } }';

interface ExecutorView {
  id: string;
  pool: string;
  state: string;
  pausedReason: string | null;
}

describe('waiting reasons of a pool', () => {
  it('keep a job no executor can take QUEUED with the exact reason, and run it once one can', async () => {
    await fluxi.startExecutor('b', ['gpu']);
    const noPool = await fluxi.api.triggerJob(await fluxi.job({ command: 'pwd', pool: 'c' }));
    const noTags = await fluxi.api.triggerJob(await fluxi.job({ command: 'pwd', pool: 'b', tags: ['gpu', 'arm64'] }));
    await waitFor(async () => (await fluxi.jobRunOf(noPool)).waitingReason === 'waiting: no executor in pool c', {
      what: 'the reason of the job of pool c',
      timeoutMs: 30_000,
    });
    expect(await fluxi.jobRunOf(noPool)).toMatchObject({
      status: 'QUEUED',
      waitingReason: 'waiting: no executor in pool c',
    });
    await waitFor(
      async () =>
        (await fluxi.jobRunOf(noTags)).waitingReason === 'waiting: no executor in pool b has tags [gpu, arm64]',
      { what: 'the reason of the job needing arm64', timeoutMs: 30_000 },
    );
    expect((await fluxi.jobRunOf(noTags)).status).toBe('QUEUED');

    const c = await fluxi.startExecutor('c');
    expect((await fluxi.workFolder(noPool)).startsWith(c)).toBe(true);
    const armed = await fluxi.startExecutor('b', ['arm64', 'gpu']);
    expect((await fluxi.workFolder(noTags)).startsWith(armed)).toBe(true);
  });

  it('say when every executor of the pool is paused by its host admission thresholds, and run nothing', async () => {
    // No host has this much free memory: the executor process takes nothing, and says why.
    await fluxi.startExecutorProcess('full', 4, {
      'executor.admission.minFreeMemoryMiB': 1_000_000_000,
      'executor.admission.checkSec': 0.5,
    });
    const problem = /^free memory \d+ MiB is under 1000000000 MiB$/;
    const listed = await waitFor(
      async () => {
        const data = await fluxi.api.gql.request<{ executors: ExecutorView[] }>(EXECUTORS);
        return data.executors.find((e) => e.pool === 'full' && e.pausedReason !== null);
      },
      { what: 'the executor of pool full to say it is paused', timeoutMs: 30_000 },
    );
    expect(listed.state).toBe('IDLE');
    expect(listed.pausedReason).toMatch(problem);

    const runId = await fluxi.api.triggerJob(await fluxi.job({ command: 'true', pool: 'full' }));
    const prefix = 'waiting: every executor in pool full is paused: ';
    const waiting = await waitFor(
      async () => {
        const jobRun = await fluxi.jobRunOf(runId);
        return jobRun.waitingReason?.startsWith(prefix) ? jobRun : undefined;
      },
      { what: 'the job run of pool full to say the executor is paused', timeoutMs: 30_000 },
    );
    expect(waiting.status).toBe('QUEUED');
    expect(waiting.waitingReason?.slice(prefix.length)).toMatch(problem);

    await fluxi.cancel(runId);
    const cancelled = await fluxi.api.ended(runId);
    expect(cancelled.status).toBe('CANCELLED');
    // The paused executor never started it.
    expect(cancelled.jobRuns.flatMap((j) => j.attempts.map((a) => a.startedAt))).toEqual([null]);
  });
});
