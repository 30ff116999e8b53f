import { waitFor } from '@fluxi/testkit';
import { expect, it } from 'vitest';
import { firstError } from './client.js';
import { describeOnBothStores } from './fixture.js';
import type { LogPageView } from './fluxi-api.js';

/** Issue 7 item 11 through the gateway: jobRunLogs pages with a cursor, knows the latest attempt and unknown job runs. */
describeOnBothStores('job run logs, a page at a time, through the gateway', (fluxi) => {
  /** Runs a job on its own to its end and returns its job run's id. */
  async function runJob(input: Parameters<typeof fluxi.api.createJob>[0]): Promise<string> {
    const run = await fluxi.api.ended(await fluxi.api.triggerJob(await fluxi.api.createJob(input)));
    expect(run.status).toBe('SUCCESS');
    return run.jobRuns[0]!.id;
  }

  /** Waits until the attempt has `count` lines stored. */
  const stored = (jobRunId: string, count: number, attempt?: number) =>
    waitFor(
      async () => {
        const page = await fluxi.api.logPage(jobRunId, { attempt, first: 0 });
        return page.totalCount === count ? page : undefined;
      },
      { what: `${count} log lines of ${jobRunId}`, timeoutMs: 30_000, intervalMs: 100 },
    );

  it('reads 2500 lines in pages of 1000 with the cursor, each once and in order', async () => {
    const jobRunId = await runJob({ name: 'count-to-2500', command: 'seq 1 2500' });
    await stored(jobRunId, 2500);
    const pages: LogPageView[] = [];
    let after: string | null = null;
    do {
      const page: LogPageView = await fluxi.api.logPage(jobRunId, { after, first: 1000 });
      pages.push(page);
      after = page.nextCursor;
      if (!page.hasMore) break;
    } while (pages.length < 10);
    expect(pages.map((page) => [page.lines.length, page.totalCount, page.hasMore, page.attempt])).toEqual([
      [1000, 2500, true, 1],
      [1000, 2500, true, 1],
      [500, 2500, false, 1],
    ]);
    const lines = pages.flatMap((page) => page.lines);
    expect(lines.map((line) => line.text)).toEqual(Array.from({ length: 2500 }, (_, i) => String(i + 1)));
    expect(lines.map((line) => line.seq)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(new Set(lines.map((line) => `${line.stream}/${line.attempt}`))).toEqual(new Set(['STDOUT/1']));
  });

  it('reads the latest attempt of a retried job unless told otherwise', async () => {
    const jobRunId = await runJob({
      name: 'fails-once',
      command: 'echo "attempt $FLUXI_ATTEMPT"; echo more; [ "$FLUXI_ATTEMPT" -ge 2 ] || exit 75',
      maxAttempts: 2,
      retry: { exitCodes: [75] },
    });
    await stored(jobRunId, 2);
    await stored(jobRunId, 2, 1);
    const latest = await fluxi.api.logPage(jobRunId);
    expect(latest.attempt).toBe(2);
    expect(latest.lines.map((line) => [line.attempt, line.text])).toEqual([
      [2, 'attempt 2'],
      [2, 'more'],
    ]);
    const first = await fluxi.api.logPage(jobRunId, { attempt: 1, first: 1 });
    expect(first).toMatchObject({ attempt: 1, totalCount: 2, hasMore: true });
    expect(first.lines.map((line) => line.text)).toEqual(['attempt 1']);
    // The cursor keeps its attempt: no need to repeat it.
    const rest = await fluxi.api.logPage(jobRunId, { after: first.nextCursor });
    expect(rest).toMatchObject({ attempt: 1, hasMore: false });
    expect(rest.lines.map((line) => line.text)).toEqual(['more']);
    expect(await fluxi.api.logs(jobRunId, (l) => l.length === 2)).toEqual(['attempt 2', 'more']);
  });

  it('answers NOT_FOUND for a job run that does not exist', async () => {
    const error = await firstError(fluxi.api.logPage('JR01NOSUCHJOBRUN0000000000'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('job run JR01NOSUCHJOBRUN0000000000 does not exist');
    // The answer as the client receives it: no stack trace, no server path.
    const raw = await fetch(`${fluxi.system.url as string}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fluxi.system.adminKey as string}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ jobRunLogs(jobRunId: "JR01NOSUCHJOBRUN0000000000") { totalCount } }' }),
    });
    const text = await raw.text();
    expect(text).toContain('NOT_FOUND');
    expect(text).not.toMatch(/stacktrace|node_modules|\/work\/|at [A-Za-z]+ \(/);
  });

  it('answers BAD_USER_INPUT naming the argument for a bad cursor and for too large a page', async () => {
    const jobRunId = await runJob({ name: 'says-hi', command: 'echo hi' });
    const badCursor = await firstError(fluxi.api.logPage(jobRunId, { after: 'not-a-cursor' }));
    expect(badCursor).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const tooMany = await firstError(fluxi.api.logPage(jobRunId, { first: 10_001 }));
    expect(tooMany).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(tooMany.message).toBe('first must be between 0 and 10000');
  });
});
