import { ContractVersion, create, LogChunkSchema, LogLevel, LogStream, Subjects } from '@fluxi/contracts';
import { encode } from '@fluxi/messaging';
import { waitFor } from '@fluxi/testkit';
import { describe, expect, it } from 'vitest';
import { DAY, startLogsFluxi } from './logs-fixture.js';

/**
 * Issue 9, retention, through the gateway: lines deleted once past their retention, others kept.
 * Storage: logs-storage.test.ts; search: logs-search.test.ts.
 */
const fluxi = startLogsFluxi();
const { search, runJob, stored } = fluxi;

describe('log retention through the gateway', () => {
  /** Publishes one line of a job run that does not exist, as an executor would, with its own ts and retention. */
  async function publishLine(jobRunId: string, text: string, tsMs: number, retentionDays: number): Promise<void> {
    const chunk = create(LogChunkSchema, {
      version: ContractVersion.CONTRACT_VERSION_1,
      jobRunId,
      pipelineRunId: 'R-retention',
      pipelineId: 'P-retention',
      jobId: 'J-retention',
      jobName: 'retention',
      logRetentionDays: retentionDays,
      lines: [{ seq: 1n, stream: LogStream.STDOUT, level: LogLevel.INFO, text, tsMs: BigInt(tsMs), attempt: 1 }],
    });
    await fluxi.nats.js.publish(Subjects.logChunk('R-retention', jobRunId), encode(LogChunkSchema, chunk), {
      msgID: `${jobRunId}.1.1`,
    });
  }

  it('deletes lines once past their retention, keeps fresh lines and old lines of a longer retention', async () => {
    const fresh = await runJob('retention-fresh', `echo 'Wombat-3310 fresh line'`);
    await stored(fresh.jobRunId, 1);
    // Expires 20 s from now (1-day retention); another as old, kept 30 days.
    const expiresAt = Date.now() + 20_000;
    await publishLine('JR-retention-short', 'Wombat-3310 short retention', expiresAt - DAY, 1);
    await publishLine('JR-retention-long', 'Wombat-3310 long retention', expiresAt - DAY, 30);
    const texts = async () =>
      (await search({ query: 'wombat-3310', order: 'OLDEST_FIRST', context: 0 })).hits.map((hit) => hit.text).sort();
    await waitFor(async () => ((await texts()).length === 3 ? true : undefined), {
      what: 'the three lines to be searchable',
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    // The retention pass runs every second (logs.retentionIntervalSec: 1).
    await waitFor(async () => ((await texts()).length === 2 ? true : undefined), {
      what: 'the short-retention line to be deleted',
      timeoutMs: 90_000,
      intervalMs: 500,
    });
    expect(await texts()).toEqual(['Wombat-3310 fresh line', 'Wombat-3310 long retention']);
    const kept = (await search({ query: 'wombat-3310', filter: { pipelineId: 'P-retention' }, context: 0 })).hits;
    expect(kept.map((hit) => [hit.jobRunId, hit.jobName, hit.level])).toEqual([
      ['JR-retention-long', 'retention', 'INFO'],
    ]);
  });
});
