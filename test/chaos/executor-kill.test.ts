import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@fluxi/testkit';
import { startSplitFluxi, type SplitFluxi } from '../e2e/split-fluxi.js';
import type { FluxiApi, JobRunView } from '../e2e/fluxi-api.js';
import { report } from './harness.js';

const RUNS = 20;
const ENTRIES = 10;
const KILLS = 3;
const LINES = 20;

/**
 * Each execution prints LINES lines carrying one token of its own, so an attempt whose
 * log mixes two executions (a BullMQ-level re-run under the same attempt) is seen.
 */
const COMMAND = `t=$(date +%s%N); i=1; while [ $i -le ${LINES} ]; do echo "$t $i"; i=$((i+1)); sleep 0.02; done`;

async function allJobRuns(api: FluxiApi, runIds: string[]): Promise<JobRunView[]> {
  const runs = await Promise.all(runIds.map((id) => api.run(id)));
  return runs.flatMap((run) => run.jobRuns);
}

/**
 * 200 job runs across two executor processes while one of them is SIGKILLed and started
 * again three times: every job run ends, none is lost, no two attempts of one job run
 * overlap, every attempt's log is its own (seq 1..N, one execution's lines only), and no
 * killed attempt's work folder stays behind.
 */
describe('chaos: an executor process killed mid-job, three times', () => {
  let fluxi: SplitFluxi;

  beforeAll(async () => {
    fluxi = await startSplitFluxi({ secondExecutor: true, executorSettings: { 'executor.concurrency': 4 } });
  });
  afterAll(async () => {
    await fluxi?.cleanup();
  });

  it('ends every job run, runs none twice at once, and keeps each attempt log its own', async () => {
    const { api } = fluxi;
    const jobId = await api.createJob({
      name: 'worker',
      command: COMMAND,
      maxAttempts: 5,
      retry: { on: ['INFRASTRUCTURE'] },
    });
    const pipelineId = await api.createPipeline({
      name: 'chaos-executors',
      stages: [{ name: 'all', entries: Array.from({ length: ENTRIES }, (_, i) => ({ jobId, name: `w${i}` })) }],
    });
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i++) runIds.push((await api.trigger(pipelineId)).id);

    const startedAt = Date.now();
    for (let kill = 0; kill < KILLS; kill++) {
      // Kill while it runs something.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const victim = fluxi.process('executor-b');
      victim.kill('SIGKILL');
      await new Promise<void>((resolve) =>
        victim.exitCode !== null ? resolve() : victim.once('exit', () => resolve()),
      );
      await fluxi.restart('executor-b');
    }
    const ended = await Promise.all(runIds.map((id) => api.ended(id, 300_000)));
    const jobRuns = await allJobRuns(api, runIds);
    expect(jobRuns).toHaveLength(RUNS * ENTRIES);
    const final = jobRuns.filter((jobRun) => ['SUCCESS', 'FAILED', 'CANCELLED'].includes(jobRun.status));
    expect(final).toHaveLength(RUNS * ENTRIES);

    let attempts = 0;
    let retried = 0;
    let lost = 0;
    for (const jobRun of jobRuns) {
      attempts += jobRun.attempts.length;
      if (jobRun.attempts.length > 1) retried += 1;
      lost += jobRun.attempts.filter((attempt) => attempt.reason?.startsWith('executor lost')).length;
      // No two attempts of one job run at the same time.
      const spans = jobRun.attempts
        .filter((attempt) => attempt.startedAt !== null)
        .map((attempt) => [Date.parse(attempt.startedAt as string), Date.parse(attempt.endedAt ?? '')] as const)
        .sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) expect(spans[i]?.[0]).toBeGreaterThanOrEqual(spans[i - 1]?.[1] ?? 0);
    }
    // Every successful attempt's log: seq 1..N and the lines of one execution only.
    for (const jobRun of jobRuns.filter((j) => j.status === 'SUCCESS')) {
      const lines = await api.logs(jobRun.id, (texts) => texts.length >= LINES);
      const tokens = new Set(lines.map((line) => line.split(' ')[0]));
      expect(tokens.size).toBe(1);
      expect(lines.map((line) => line.split(' ')[1])).toEqual(Array.from({ length: LINES }, (_, i) => String(i + 1)));
      const all = await api.logLines(jobRun.id);
      expect(all.map((line) => line.seq)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
    }
    const succeeded = jobRuns.filter((jobRun) => jobRun.status === 'SUCCESS').length;
    expect(succeeded).toBe(RUNS * ENTRIES);
    // The work folders of the killed attempts went at the next start (those retried elsewhere too).
    const work = join(fluxi.dataDir('executor-b'), 'work');
    await waitFor(() => !existsSync(work) || readdirSync(work).length === 0, {
      what: `no folder left in ${work}`,
      timeoutMs: 30_000,
    });
    report('executor SIGKILL x3 (200 job runs, 2 executor processes)', {
      jobRuns: jobRuns.length,
      final: final.length,
      succeeded,
      runsSucceeded: ended.filter((run) => run.status === 'SUCCESS').length,
      attempts,
      retriedJobRuns: retried,
      lostAttempts: lost,
      tookMs: Date.now() - startedAt,
    });
  });
});
