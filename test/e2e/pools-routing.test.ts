import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@fluxi/testkit';
import { describe, expect, it } from 'vitest';
import { maxAtOnce, staysIn } from './job-stays.js';
import { usePoolsFluxi } from './pools-harness.js';

/** Pools and tags through the gateway: which executor takes a job, and how many at once. */

const fluxi = usePoolsFluxi();

describe('pools and tags', () => {
  it('route each job to the executors of its pool that carry its tags', async () => {
    const a = await fluxi.startExecutor('a');
    const b = await fluxi.startExecutor('b', ['gpu']);
    const inA = await fluxi.job({ command: 'pwd', pool: 'a' });
    const inBGpu = await fluxi.job({ command: 'pwd', pool: 'b', tags: ['gpu'] });
    const inB = await fluxi.job({ command: 'pwd', pool: 'b' });
    const runs = await Promise.all([inA, inBGpu, inB, inA, inBGpu].map((id) => fluxi.api.triggerJob(id)));
    const folders = await Promise.all(runs.map((runId) => fluxi.workFolder(runId)));
    expect(folders.map((folder) => (folder.startsWith(a) ? 'a' : folder.startsWith(b) ? 'b' : folder))).toEqual([
      'a',
      'b',
      'b',
      'a',
      'b',
    ]);
  });

  it('never run more attempts on one executor than its concurrency, across the queues it reads', async () => {
    await fluxi.startExecutor('d', ['x', 'y'], 2);
    const log = join(fluxi.scratch, 'executor-concurrency.log');
    const gate = join(fluxi.scratch, 'executor-concurrency.go');
    const command = fluxi.gated(log, gate);
    const ids = await Promise.all(
      [[], ['x'], ['y'], ['x', 'y']].map((tags) => fluxi.job({ command, pool: 'd', tags })),
    );
    const runs = await Promise.all([...ids, ...ids].map((id) => fluxi.api.triggerJob(id)));
    await waitFor(() => maxAtOnce(staysIn(log)) === 2, { what: 'two jobs to start', timeoutMs: 30_000 });
    const all = await fluxi.jobRunsOfAll(runs);
    expect(all.filter((j) => j.status === 'RUNNING').length).toBeLessThanOrEqual(2);
    writeFileSync(gate, '');
    const ended = await Promise.all(runs.map((id) => fluxi.api.ended(id)));
    expect(ended.map((run) => run.status)).toEqual(runs.map(() => 'SUCCESS'));
    const stays = staysIn(log);
    expect(stays.filter((stay) => stay.end !== undefined)).toHaveLength(8);
    expect(maxAtOnce(stays)).toBe(2);
  });
});
