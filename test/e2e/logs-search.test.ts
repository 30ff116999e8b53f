import { describe, expect, it } from 'vitest';
import { firstError } from './client.js';
import { DAY, startLogsFluxi, type SearchPage } from './logs-fixture.js';

/**
 * Issue 9, search, through the gateway: searchLogs with every filter and the cursor, context
 * lines, bad input, and logOccurrences. Levels and what is stored: logs-storage.test.ts;
 * retention: logs-retention.test.ts.
 */
const fluxi = startLogsFluxi();
const { search, runJob, stored } = fluxi;

describe('log lines and search through the gateway', () => {
  it('finds words, phrases and regexes across runs, with each filter, context lines and a cursor', async () => {
    const failed = await runJob(
      'search-fails',
      `echo 'prep 1'; echo 'prep 2'; echo 'Zebra-7731 connection refused to db'; echo 'after 1'; echo 'after 2'; echo 'after 3'; exit 3`,
      'FAILED',
    );
    const passed = await runJob('search-passes', `echo 'zebra-7731 retry ok' >&2`);
    await stored(passed.jobRunId, 1);
    await stored(failed.jobRunId, 6);
    const ids = async (query: string, filter: object = {}) =>
      (await search({ query, filter, context: 0 })).hits.map((hit) => `${hit.jobRunId}:${hit.seq}`);
    const f = `${failed.jobRunId}:3`;
    const p = `${passed.jobRunId}:1`;
    // Newest first: the passing job ran last.
    expect(await ids('ZEBRA-7731')).toEqual([p, f]);
    expect(await ids('zebra-7731 refused')).toEqual([f]);
    expect(await ids('"connection refused to db" zebra-7731')).toEqual([f]);
    expect(await ids('"refused db" zebra-7731')).toEqual([]);
    expect(await ids('/^[Zz]ebra-77\\d1 (retry|connection)/')).toEqual([p, f]);
    expect(await ids('/^Zebra-\\d+ connection/')).toEqual([f]);
    expect(await ids('zebra-7731', { status: ['FAILED'] })).toEqual([f]);
    expect(await ids('zebra-7731', { status: ['SUCCESS', 'CANCELLED'] })).toEqual([p]);
    expect(await ids('zebra-7731', { jobName: 'search-passes' })).toEqual([p]);
    expect(await ids('zebra-7731', { jobId: failed.jobId })).toEqual([f]);
    expect(await ids('zebra-7731', { jobRunId: passed.jobRunId })).toEqual([p]);
    expect(await ids('zebra-7731', { pipelineRunId: failed.runId })).toEqual([f]);
    expect(await ids('zebra-7731', { streams: ['STDERR'] })).toEqual([p]);
    expect(await ids('zebra-7731', { levels: ['NONE'] })).toEqual([p, f]);
    expect(await ids('zebra-7731', { levels: ['ERROR'] })).toEqual([]);
    expect(await ids('zebra-7731', { from: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    expect(await ids('zebra-7731', { to: new Date(Date.now() - DAY).toISOString() })).toEqual([]);
    expect(await ids('zebra-7731', { from: new Date(Date.now() - DAY).toISOString() })).toEqual([p, f]);

    // Context: two lines before and after by default, in seq order, within the attempt.
    const [hit] = (await search({ query: 'connection refused' })).hits.filter((h) => h.jobRunId === failed.jobRunId);
    expect(hit).toMatchObject({
      pipelineRunId: failed.runId,
      jobId: failed.jobId,
      jobName: 'search-fails',
      attempt: 1,
    });
    expect(hit?.before.map((line) => line.text)).toEqual(['prep 1', 'prep 2']);
    expect(hit?.after.map((line) => line.text)).toEqual(['after 1', 'after 2']);
    const wide = (await search({ query: 'connection refused', filter: { jobRunId: failed.jobRunId }, context: 10 }))
      .hits;
    expect(wide[0]?.after.map((line) => line.seq)).toEqual([4, 5, 6]);

    // The cursor: oldest first, two hits a page, every line of the failing job once, in order.
    const seen: number[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages += 1) {
      const page: SearchPage = await search({
        filter: { jobRunId: failed.jobRunId },
        order: 'OLDEST_FIRST',
        first: 2,
        context: 0,
        after,
      });
      seen.push(...page.hits.map((h) => h.seq));
      if (!page.hasMore) {
        expect(page.nextCursor).toBeNull();
        break;
      }
      after = page.nextCursor;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    // A cursor of another search is refused, naming the argument.
    const wrong = await firstError(search({ query: 'other', first: 2, after: after ?? 'x' }));
    expect(wrong).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('answers bad input with BAD_USER_INPUT naming the field, and no stack trace', async () => {
    const regex = await firstError(search({ query: '/(unclosed/' }));
    expect(regex).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
    expect(regex.message).toBe('query: /(unclosed/ is not a valid regular expression (RE2): missing ): (unclosed');
    expect(await firstError(search({ query: '"open' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
    expect(await firstError(search({ context: 11 }))).toMatchObject({ field: 'context' });
    expect(await firstError(search({ first: 201 }))).toMatchObject({ field: 'first' });
    expect(await firstError(search({ filter: { from: 'last tuesday' } }))).toMatchObject({ field: 'filter.from' });
    const raw = await fetch(`${fluxi.system.url as string}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fluxi.system.adminKey as string}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ searchLogs(query: "/[z-a]/") { hasMore } }' }),
    });
    const text = await raw.text();
    expect(text).toContain('BAD_USER_INPUT');
    expect(text).not.toMatch(/stacktrace|node_modules|\/work\/|at [A-Za-z]+ \(/);
  });

  it('says when a line first and last appeared, and how often per day', async () => {
    const first = await runJob('occurs-1', `echo 'Quokka-5521 segfault'; echo 'other'`);
    const second = await runJob('occurs-2', `echo 'again quokka-5521 SEGFAULT'; echo 'quokka-5521 segfault twice'`);
    await stored(second.jobRunId, 2);
    await stored(first.jobRunId, 2);
    const data = await fluxi.api.gql.request<{
      logOccurrences: {
        totalCount: number;
        first: { jobRunId: string; seq: number; pipelineRunId: string; ts: string } | null;
        last: { jobRunId: string; seq: number } | null;
        days: Array<{ day: string; count: number; jobRuns: number }>;
      };
    }>(
      `query ($q: String!) { logOccurrences(query: $q) {
        totalCount first { jobRunId seq pipelineRunId ts } last { jobRunId seq } days { day count jobRuns }
      } }`,
      { q: 'quokka-5521 segfault' },
    );
    const found = data.logOccurrences;
    expect(found.totalCount).toBe(3);
    expect(found.first).toMatchObject({ jobRunId: first.jobRunId, seq: 1, pipelineRunId: first.runId });
    expect(found.last).toMatchObject({ jobRunId: second.jobRunId, seq: 2 });
    expect(found.days).toEqual([{ day: found.first!.ts.slice(0, 10), count: 3, jobRuns: 2 }]);
    const none = await fluxi.api.gql.request<{
      logOccurrences: { totalCount: number; first: unknown; days: unknown[] };
    }>('{ logOccurrences(query: "never-printed-9918") { totalCount first { seq } days { day } } }');
    expect(none.logOccurrences).toEqual({ totalCount: 0, first: null, days: [] });
  });
});
