import { join } from 'node:path';
import { waitFor } from '@fluxi/testkit';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { nowNs, recordLine, startsBetween, staysIn } from './job-stays.js';
import { statuses, usePoolsFluxi } from './pools-harness.js';

/**
 * A pool's `ratePerMinute` through the gateway, on the real PostgreSQL. The window is a
 * minute (RATE_WINDOW_MS in the scheduler's domain/limits.ts, not a setting), too long to
 * wait in a test: where the test would wait for the window to slide, it moves the pool's
 * recorded hand-overs (the scheduler's `pool_dispatches` rows of the current window) back
 * 61 seconds, which is what the passing of a minute does to the scheduler's state. When
 * each job started is read from the times the jobs record.
 */

const fluxi = usePoolsFluxi({ postgres: true, flags: { 'pools.rated.ratePerMinute': 2 } });

const REASON = 'waiting: pool rated at its rate limit of 2 per minute';

/** Moves the hand-overs of pool `rated` in the current window a window back; returns how many there were. */
async function slideWindow(): Promise<number> {
  const db = new pg.Client({ connectionString: fluxi.databaseUrl });
  await db.connect();
  try {
    const moved = await db.query(
      `UPDATE scheduler.pool_dispatches SET at = at - interval '61 seconds'
       WHERE pool = 'rated' AND at > now() - interval '60 seconds'`,
    );
    return moved.rowCount ?? 0;
  } finally {
    await db.end();
  }
}

describe('pool rate limit', () => {
  it('start at most ratePerMinute job runs of a pool in a window, the others QUEUED saying so until it slides', async () => {
    await fluxi.startExecutor('rated');
    const log = join(fluxi.scratch, 'rate.log');
    const id = await fluxi.job({ command: recordLine(log, 'start'), pool: 'rated' });
    const runs = await Promise.all(Array.from({ length: 5 }, () => fluxi.api.triggerJob(id)));
    const succeeded = async (count: number) => {
      await waitFor(
        async () => (await fluxi.jobRunsOfAll(runs)).filter((j) => j.status === 'SUCCESS').length >= count,
        {
          what: `${count} job runs of pool rated to succeed`,
          timeoutMs: 30_000,
        },
      );
      return fluxi.jobRunsOfAll(runs);
    };

    // The first window: two start, three wait in QUEUED (not FAILED), each saying why.
    const first = await succeeded(2);
    expect(statuses(first)).toEqual(['QUEUED', 'QUEUED', 'QUEUED', 'SUCCESS', 'SUCCESS']);
    expect(first.filter((j) => j.status === 'QUEUED').map((j) => j.waitingReason)).toEqual(Array(3).fill(REASON));
    expect(staysIn(log)).toHaveLength(2);

    // A minute on: two more start; the last still waits.
    const marks = [nowNs()];
    expect(await slideWindow()).toBe(2);
    const second = await succeeded(4);
    expect(statuses(second)).toEqual(['QUEUED', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(second.find((j) => j.status === 'QUEUED')?.waitingReason).toBe(REASON);

    // Another minute on: the last one starts.
    marks.push(nowNs());
    expect(await slideWindow()).toBe(2);
    const ended = await Promise.all(runs.map((runId) => fluxi.api.ended(runId)));
    expect(ended.map((run) => run.status)).toEqual(runs.map(() => 'SUCCESS'));
    expect(ended.flatMap((run) => run.jobRuns.map((j) => j.attempt))).toEqual(runs.map(() => 1));
    // From the recorded start times: two in the first window, two in the second, one in the third.
    expect(startsBetween(staysIn(log), marks)).toEqual([2, 2, 1]);
    expect(await slideWindow()).toBe(1);
  });
});
