import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report, startChaosFluxi, type ChaosFluxi } from './harness.js';

/** Bytes of every file under `dir`, recursively. */
function folderBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(dir, entry.name);
    return sum + (entry.isDirectory() ? folderBytes(path) : statSync(path).size);
  }, 0);
}

/**
 * A job printing a megabyte of random bytes (NUL bytes, invalid UTF-8, huge "lines"):
 * the run ends, nothing is redelivered in a loop, what is stored is valid text, and the
 * server's own log files stay small: no job output reaches them.
 */
describe('chaos: a job printing binary data', () => {
  let fluxi: ChaosFluxi;

  beforeAll(async () => {
    fluxi = await startChaosFluxi();
  });
  afterAll(async () => {
    await fluxi?.stop();
  });

  it('ends its run, stores valid text, and leaves the server logs small', async () => {
    const { api, dir } = fluxi;
    const logsDir = join(dir.path, 'logs');
    const jobId = await api.createJob({ name: 'urandom', command: 'head -c 1000000 /dev/urandom; echo; echo done' });
    const run = await api.ended(await api.triggerJob(jobId), 120_000);
    expect(run.status).toBe('SUCCESS');
    const jobRun = run.jobRuns[0];
    expect(jobRun?.status).toBe('SUCCESS');
    // The logs service stores lines shortly after the run ends: wait for the last one.
    await api.logs(jobRun?.id as string, (texts) => texts.includes('done'));
    const lines = await api.logLines(jobRun?.id as string);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.map((line) => line.seq)).toEqual(Array.from({ length: lines.length }, (_, i) => i + 1));
    expect(lines.some((line) => line.text.includes('\u0000'))).toBe(false);
    expect(lines.map((line) => line.text)).toContain('done');

    const context = await api.gql.request<{ context: { value: string; truncated: boolean } | null }>(
      'query { context(name: "urandom") { value truncated } }',
    );
    expect(context.context?.value.includes('\u0000')).toBe(false);
    expect(context.context?.truncated).toBe(true);

    // Nothing loops: the server logs do not grow after the run ended.
    const bytesAtEnd = folderBytes(logsDir);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const bytesLater = folderBytes(logsDir);
    expect(bytesLater - bytesAtEnd).toBeLessThan(4096);
    expect(bytesLater).toBeLessThan(256 * 1024);

    // And the system goes on: the next run is unaffected.
    const next = await api.ended(await api.triggerJob(await api.createJob({ name: 'after', command: 'echo ok' })));
    expect(next.status).toBe('SUCCESS');
    report('binary output', {
      bytesPrinted: 1_000_000,
      linesStored: lines.length,
      runsFinished: 2,
      runsStuck: 0,
      serverLogBytes: bytesLater,
    });
  });
});
